"""Article fetching and parsing: one module per site, plus the generic scraper."""
