"""This node's identity (Ed25519 key) and its peers; signed node-to-node requests."""
