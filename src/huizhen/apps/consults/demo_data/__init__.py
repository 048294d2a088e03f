"""Synthetic FHIR R4 Bundles of three hematologic-malignancy cases for the demo (see README.md here)."""
