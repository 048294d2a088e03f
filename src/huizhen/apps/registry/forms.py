"""registry forms (being written)."""
