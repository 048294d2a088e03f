"""``huizhen policy explain --case ID``: every policy decision taken for a case, with its reasons in both languages.

The engine's CLI hands this subcommand to the node (it needs the node's database).
Decisions are printed in the order they were taken; for each, the rule ids, the
obligations and the reasons with their citation, source status and confidence, in
English and Chinese, so a privacy officer on either side can read why. ``--json``
prints the same as one JSON document. A case with no decision exits 1.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from huizhen.apps.policy import selectors
from huizhen.apps.policy.models import PolicyDecisionRecord


class Command(BaseCommand):
    help = "Show every policy decision recorded for a case, with rules, obligations and reasons."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--case", required=True, dest="case_ref", help="The case the decisions were taken for.")
        parser.add_argument("--json", action="store_true", help="Print one JSON document instead of text.")

    def handle(self, *args: Any, case_ref: str, **options: Any) -> None:
        records = list(selectors.decisions_for_case(case_ref))
        if options["json"]:
            document = {"case": case_ref, "decisions": [_as_dict(record) for record in records]}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        elif records:
            self.stdout.write(f"case {case_ref}: {len(records)} policy decision{'s' if len(records) != 1 else ''}")
            for record in records:
                self._write(record)
        if not records:
            self.stderr.write(f"no policy decisions recorded for case {case_ref}")
            raise SystemExit(1)

    def _write(self, record: PolicyDecisionRecord) -> None:
        out = self.stdout
        out.write("")
        who = record.actor or "-"
        out.write(f"{record.at.isoformat()}  {record.action}  {record.purpose or '-'}  {record.decision}  by {who}")
        out.write(f"  rules: {', '.join(record.rules) or '-'}")
        packs = ", ".join(f"{pack} {version}" for pack, version in sorted(record.pack_versions.items()))
        if packs:
            out.write(f"  packs: {packs}")
        for obligation in record.obligations:
            out.write(f"  obligation {obligation.get('id', '')} ({obligation.get('rule', '')})")
            out.write(f"    en: {obligation.get('text_en', '')}")
            out.write(f"    zh: {obligation.get('text_zh', '')}")
        for heading, reasons in (("reason", record.reasons), ("warning", record.warnings)):
            for reason in reasons:
                marks = "/".join(part for part in (reason.get("source_status"), reason.get("confidence")) if part)
                out.write(f"  {heading} {reason.get('rule', '')} [{marks}] {reason.get('citation', '')}".rstrip())
                out.write(f"    en: {reason.get('en', '')}")
                out.write(f"    zh: {reason.get('zh', '')}")


def _as_dict(record: PolicyDecisionRecord) -> dict[str, Any]:
    return {
        "at": record.at.isoformat(),
        "action": record.action,
        "purpose": record.purpose,
        "actor": record.actor,
        "decision": record.decision,
        "rules": record.rules,
        "obligations": record.obligations,
        "reasons": record.reasons,
        "warnings": record.warnings,
        "pack_versions": record.pack_versions,
        "request": record.request,
    }
