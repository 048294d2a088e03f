"""The consultation JSON API, one router per side of the workflow."""
