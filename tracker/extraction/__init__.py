"""Claims from article text: sentences, figures, and a check-worthiness detector (no hosting)."""
