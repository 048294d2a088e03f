"""The append-only, hash-chained audit log of everything a node does with data and peers."""
