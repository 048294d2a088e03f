"""The UI shell: base layout, home page, language switch."""
