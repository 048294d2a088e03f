"""registry selectors (being written)."""
