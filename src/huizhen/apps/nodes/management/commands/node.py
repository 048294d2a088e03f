"""``huizhen node show``: this node's identity, to give to a peer's administrator."""

from __future__ import annotations

import dataclasses
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from huizhen.apps.nodes.identity import node_identity, node_key_path


class Command(BaseCommand):
    help = "Show this node's role, name, public URL and key fingerprint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print this node's identity")
        show.add_argument(
            "--json", action="store_true", help="print name, role, public_url, public_key, fingerprint as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        me = node_identity()
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(me)))
            return
        self.stdout.write(f"role:        {me.role}")
        self.stdout.write(f"name:        {me.name}")
        self.stdout.write(f"public URL:  {me.public_url}")
        self.stdout.write(f"fingerprint: {me.fingerprint}")
        self.stdout.write(f"public key:  {me.public_key}")
        self.stdout.write(f"key file:    {node_key_path()}")
        self.stdout.write(
            f"peers register this node with: huizhen peer add {me.public_url} --fingerprint {me.fingerprint}"
        )
