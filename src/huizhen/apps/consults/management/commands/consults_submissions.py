"""``huizhen consults_submissions``: restart submissions whose pipeline stopped (gateway).

A case stays SUBMITTING only while its pipeline runs; one still there after an hour lost
its worker (stopped or killed mid-way). Run this from cron or a systemd timer, e.g.
every 15 minutes; it enqueues the pipeline again, which is idempotent end to end.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Enqueue the submission pipeline again for cases stuck in SUBMITTING."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than", type=int, default=60, metavar="MINUTES", help="stuck for at least this long (60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from huizhen.apps.consults.submission import resume_stalled_submissions

        if settings.HUIZHEN_ROLE != "gateway":
            self.stdout.write("This node is a hub: cases are submitted from a gateway.")
            return
        resumed = resume_stalled_submissions(older_than=timedelta(minutes=options["older_than"]))
        for reference in resumed:
            self.stdout.write(f"resumed {reference}")
        self.stdout.write(f"{len(resumed)} submission(s) resumed")
