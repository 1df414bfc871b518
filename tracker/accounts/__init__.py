"""Accounts: reviewers' passwords, web sessions, API tokens and the login rate limit."""
