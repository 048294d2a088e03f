"""Institutions, people and their roles; login with password, TOTP and lockout."""
