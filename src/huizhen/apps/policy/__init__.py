"""The policy engine inside a node: every decision stored and audited, the export register, the /policy/ page."""
