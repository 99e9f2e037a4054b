"""Model output as HTML: Markdown cut into blocks as it streams, Python-Markdown's rules with bounds, and the
renderer that highlights code and trusts nothing."""
