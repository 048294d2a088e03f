"""opinions (being written; see docs/engines/consults.md)."""
