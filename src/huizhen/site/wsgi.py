"""WSGI entry for a node; ``huizhen serve`` validates the configuration before loading it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huizhen.site.settings")
application = get_wsgi_application()
