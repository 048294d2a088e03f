"""registry services (being written)."""
