"""Huizhen: cross-border joint consultation platform."""
