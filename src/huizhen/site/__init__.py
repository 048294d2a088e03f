"""The Django project that wraps Huizhen's engines: settings, URL map, WSGI entry."""
