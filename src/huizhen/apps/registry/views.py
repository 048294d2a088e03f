"""registry views (being written)."""
