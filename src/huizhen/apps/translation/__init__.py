"""Translation tasks: machine drafts, translators' edits and clinicians' verification, with provenance."""
