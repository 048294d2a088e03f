"""``huizhen consults_followups``: ask referring physicians for outcomes that are due (gateway).

Run it daily from cron or a systemd timer (``--enqueue`` hands it to the task worker
instead). Each case is asked once; running it again the same day asks nobody twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Notify referring physicians whose outcome follow-up is due (each case once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="run the sweep as a background task")

    def handle(self, *args: Any, **options: Any) -> None:
        from huizhen.apps.consults.outcomes import outcome_followups, send_due_followups
        from huizhen.apps.consults.threads import node_role

        if node_role() != "gateway":
            self.stdout.write("This node is a hub: outcome follow-ups are asked at the gateway.")
            return
        if options["enqueue"]:
            result = outcome_followups.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        asked = send_due_followups()
        for consult in asked:
            self.stdout.write(f"asked {consult.reference}")
        self.stdout.write(f"{len(asked)} follow-up(s) sent")
