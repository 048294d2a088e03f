"""``huizhen serve``: run this node's web server (gunicorn) after the configuration checks pass."""

from __future__ import annotations

import os
import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _default_bind() -> str:
    parts = urlsplit(settings.HUIZHEN_PUBLIC_URL)
    if parts.hostname in ("127.0.0.1", "localhost") and parts.port:
        return f"127.0.0.1:{parts.port}"
    return "127.0.0.1:8000"  # behind a TLS-terminating proxy in production


class Command(BaseCommand):
    help = "Run this node's web server (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=None, help="HOST:PORT (default: from HUIZHEN_PUBLIC_URL)")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=settings.NODE.is_production)
        bind = options["bind"] or _default_bind()
        argv = [
            sys.executable, "-m", "gunicorn", "huizhen.site.wsgi:application",
            "--bind", bind,
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--worker-class", "gthread",
            "--access-logfile", "-",
            "--graceful-timeout", "5",
            "--forwarded-allow-ips", "127.0.0.1",
            # gunicorn's control socket defaults to one path per user; two nodes on one
            # machine would fight over it, and nothing here uses it.
            "--no-control-socket",
        ]  # fmt: skip
        self.stdout.write(f"{settings.HUIZHEN_NODE_NAME} ({settings.HUIZHEN_ROLE}) listening on http://{bind}")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606
