"""The ``huizhen policy`` command: evaluate requests and list rule packs without Django.

``huizhen policy evaluate REQUEST.json`` (``-`` reads standard input) prints the decision
as JSON. Exit status: 0 for allow or allow_with_obligations, 1 for deny, 2 for an invalid
request (every problem on standard error, one per line) or a usage error.
``huizhen policy packs`` lists the packs with their rule counts (``--rules`` lists the
rules too). ``huizhen policy explain --case ID`` needs the node's database, so it is handed
to the node's ``policy_explain`` management command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from huizhen.policy.decision import DENY
from huizhen.policy.evaluation import evaluate
from huizhen.policy.packs import PackError, RulePack, load_packs
from huizhen.policy.request import RequestError, parse_request


def main(argv: Sequence[str]) -> int:
    args_list = list(argv)
    if args_list[:1] == ["explain"]:
        from huizhen.cli import run_node_command

        return run_node_command(["policy_explain", *args_list[1:]])
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return 0 if exc.code == 0 else 2
    try:
        packs = load_packs(args.pack or None)
    except PackError as exc:
        print(f"huizhen policy: {exc}", file=sys.stderr)
        return 2
    if args.command == "evaluate":
        return _evaluate(args.request, packs)
    if args.command == "packs":
        if args.markdown:
            print(catalogue_markdown(packs), end="")
            return 0
        return _packs(packs, with_rules=args.rules, as_json=args.json)
    parser.print_usage(sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huizhen policy", description="Evaluate actions against the rule packs.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    evaluate_cmd = commands.add_parser("evaluate", help="decide one request (JSON) and print the decision")
    evaluate_cmd.add_argument("request", metavar="REQUEST.json", help="the request file, or - for standard input")
    packs_cmd = commands.add_parser("packs", help="list the rule packs and their rule counts")
    packs_cmd.add_argument("--rules", action="store_true", help="list every rule with its effect and citation")
    packs_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    packs_cmd.add_argument(
        "--markdown", action="store_true", help="print the rule catalogue table of docs/engines/policy.md"
    )
    for sub in (evaluate_cmd, packs_cmd):
        sub.add_argument(
            "--pack",
            action="append",
            type=Path,
            metavar="PACK.yaml",
            help="use these packs, not the shipped ones",
        )
    commands.add_parser("explain", help="every decision taken for a case (needs the node database): --case ID")
    return parser


def _evaluate(source: str, packs: list[RulePack]) -> int:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"huizhen policy: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"huizhen policy: {source} is not JSON: {exc}", file=sys.stderr)
        return 2
    try:
        request = parse_request(data)
    except RequestError as exc:
        print(f"huizhen policy: invalid request ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    decision = evaluate(request, packs=packs)
    print(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    return 1 if decision.decision == DENY else 0


def _packs(packs: list[RulePack], *, with_rules: bool, as_json: bool) -> int:
    if as_json:
        listing = [
            {
                "id": pack.id,
                "jurisdiction": pack.jurisdiction,
                "version": pack.version,
                "path": str(pack.source_path),
                "rules": [
                    {
                        "id": rule.id,
                        "source": rule.source,
                        "title_en": rule.title_en,
                        "title_zh": rule.title_zh,
                        "effect": rule.effect,
                        "citation": rule.citation,
                        "source_status": rule.source_status,
                        "confidence": rule.confidence,
                    }
                    for rule in pack.rules
                ],
            }
            for pack in packs
        ]
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    for pack in packs:
        print(f"{pack.id}\t{pack.jurisdiction}\tv{pack.version}\t{len(pack.rules)} rules\t{pack.source_path.name}")
        if with_rules:
            for rule in pack.rules:
                print(f"  {rule.id}\t{rule.effect}\t{rule.source_status}/{rule.confidence}\t{rule.title_en}")
    return 0


def catalogue_markdown(packs: Sequence[RulePack]) -> str:
    """The rule catalogue as a Markdown table (the generated part of ``docs/engines/policy.md``)."""
    lines = [
        "| Pack | Id | Title | Effect | Citation | Status | Conf. |",
        "|---|---|---|---|---|---|---|",
    ]
    for pack in packs:
        for rule in pack.rules:
            effect = f"obligation `{rule.obligation.id}`" if rule.obligation else rule.effect
            cells = [pack.id, rule.id, rule.title_en, effect, rule.citation, rule.source_status, rule.confidence]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
