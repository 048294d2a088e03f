"""Django apps, one per bounded context; they wrap the pure engines and never the reverse."""
