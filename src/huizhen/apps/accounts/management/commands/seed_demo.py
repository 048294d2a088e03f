"""``huizhen seed_demo``: this node's demo institution and people, safe to run again.

Seeded users enroll their authenticator app on first sign-in, as real users do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from huizhen.apps.accounts.models import Role
from huizhen.apps.accounts.services import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo institution and users of this node (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password for newly created demo users")

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = seed_demo(node_role=settings.HUIZHEN_ROLE, password=options["password"])
        self.stdout.write(f"Demo logins on this {settings.HUIZHEN_ROLE} ({settings.HUIZHEN_PUBLIC_URL}):")
        self.stdout.write(f"  {'username':<15} {'role':<24} password")
        for login in seeded:
            password = options["password"] if login.created else "(unchanged: user existed)"
            self.stdout.write(f"  {login.username:<15} {Role(login.role).label!s:<24} {password}")
        self.stdout.write("On first sign-in each user scans a QR code with an authenticator app (TOTP).")
