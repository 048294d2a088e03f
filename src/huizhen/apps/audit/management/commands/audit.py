"""``huizhen audit verify`` and ``huizhen audit tail``: the audit log from the command line.

``verify`` walks the hash chain and exits 0 when it is intact, 1 at the first broken
link, so that monitoring and cron can act on the status alone.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huizhen.apps.audit import selectors


class Command(BaseCommand):
    help = "Verify or show the node's audit log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,tail}")
        verify = commands.add_parser("verify", help="Walk the hash chain; exit 1 at the first broken link.")
        verify.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the verification to a task worker instead; the result appears on /audit/.",
        )
        tail = commands.add_parser("tail", help="Print the newest entries, oldest of them first.")
        tail.add_argument("-n", "--lines", type=int, default=20, help="How many entries (default 20).")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify" and options["enqueue"]:
            from huizhen.apps.audit.tasks import verify_audit_chain

            result = verify_audit_chain.enqueue()
            self.stdout.write(f"audit chain verification enqueued as task {result.id}")
        elif subcommand == "verify":
            self._verify()
        elif subcommand == "tail":
            self._tail(options["lines"])
        else:  # argparse already refuses anything else
            raise CommandError(f"unknown subcommand {subcommand!r}")

    def _verify(self) -> None:
        report = selectors.verify_chain()
        if report.broken is None:
            self.stdout.write(f"audit chain intact: {report.entries} entries, head {report.head_hash}")
            return
        self.stderr.write(f"audit chain broken at entry #{report.broken.seq}: {report.broken.reason}")
        raise SystemExit(1)

    def _tail(self, lines: int) -> None:
        if lines < 1:
            raise CommandError("-n must be at least 1")
        newest = list(selectors.entries_newest_first()[:lines])
        for entry in reversed(newest):
            who = entry.actor or entry.peer or "-"
            detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""
            line = f"#{entry.seq} {entry.at.isoformat()} {entry.action} {entry.outcome} {who} {entry.target} {detail}"
            self.stdout.write(line.rstrip())
