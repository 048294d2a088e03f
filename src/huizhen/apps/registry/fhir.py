"""registry fhir (being written)."""
