"""The consultation pages, one module per side of the workflow."""
