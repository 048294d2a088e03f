"""``huizhen seed_demo_cases``: the demo's consultation data on this node, safe to run again.

On a gateway: three synthetic draft cases of ``dr.li`` (with consents and a PET-CT
series) addressed to the hub, and the partner agreement with it. On a hub: the demo
specialist's profile and the partner agreement with the gateway. Run it after
``huizhen seed_demo`` and ``huizhen peer add`` (``huizhen demo`` does).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huizhen.apps.consults.demo_cases import DemoSeedError, seed_demo_cases


class Command(BaseCommand):
    help = "Seed the demo's consultation cases (gateway) or specialist profiles (hub); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--peer", help="name of the peer node (default: the only peer)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = seed_demo_cases(peer_name=options["peer"])
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        for item in report.created:
            self.stdout.write(f"created: {item}")
        for item in report.existing:
            self.stdout.write(f"already there: {item}")
        for note in report.notes:
            self.stdout.write(note)
