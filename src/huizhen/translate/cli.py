"""The ``huizhen translate`` command: translate a text with provenance, look up the glossary and codes.

``huizhen translate [FILE] --from zh --to en [--engine none|http|argos] [--url URL] [--json]``
translates FILE (or standard input) with the engine named on the command line or by
``HUIZHEN_TRANSLATION_ENGINE`` / ``_URL`` / ``_API_KEY`` in the environment, and prints
the translation followed by its provenance (``--json``: both as one object). With no
engine, a text that is not made only of glossary terms is queued for a human: the
command says so and exits 3. ``huizhen translate glossary TERM`` prints the term in the
other language with its category and codes; ``huizhen translate code SYSTEM CODE``
prints a code's label in both languages. Exit status: 0 done, 1 the engine failed,
2 usage or configuration error, 3 no engine (human translator needed), 4 not found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from huizhen.translate.coded import SYSTEMS, coded_label, system_name
from huizhen.translate.engines import ENGINE_CHOICES, EngineConfigError, EngineError, configured_engine
from huizhen.translate.glossary import load_glossary
from huizhen.translate.translation import translate

EXIT_ENGINE_FAILED = 1
EXIT_USAGE = 2
EXIT_HUMAN_NEEDED = 3
EXIT_NOT_FOUND = 4
QUEUED_MESSAGE = "queued for a human translator: no engine configured"


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args and args[0] == "glossary":
        return _glossary(args[1:])
    if args and args[0] == "code":
        return _code(args[1:])
    return _translate(args)


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return 0 if exc.code == 0 else EXIT_USAGE


def _translate(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="huizhen translate",
        description="Translate clinical text between Chinese and English, glossary terms held fixed. "
        "Also: 'huizhen translate glossary TERM', 'huizhen translate code SYSTEM CODE'.",
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="text file (default: standard input)")
    parser.add_argument("--from", dest="source", default="zh", help="source language: zh or en (default zh)")
    parser.add_argument("--to", dest="target", default="en", help="target language: en or zh (default en)")
    parser.add_argument("--engine", choices=ENGINE_CHOICES, help="override HUIZHEN_TRANSLATION_ENGINE")
    parser.add_argument("--url", help="override HUIZHEN_TRANSLATION_URL (http engine)")
    parser.add_argument("--json", action="store_true", help="print the translation and provenance as JSON")
    parsed = _parse(parser, argv)
    if isinstance(parsed, int):
        return parsed
    settings = {key: value for key, value in os.environ.items() if key.startswith("HUIZHEN_TRANSLATION_")}
    if parsed.engine:
        settings["HUIZHEN_TRANSLATION_ENGINE"] = parsed.engine
    if parsed.url:
        settings["HUIZHEN_TRANSLATION_URL"] = parsed.url
    try:
        text = parsed.file.read_text(encoding="utf-8") if parsed.file else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"huizhen translate: cannot read {parsed.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        engine = configured_engine(settings)
        result = translate(text, source=parsed.source, target=parsed.target, engine=engine)
    except EngineConfigError as exc:
        print(f"huizhen translate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"huizhen translate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:
        print(f"huizhen translate: {exc}; the text needs a human translator", file=sys.stderr)
        return EXIT_ENGINE_FAILED
    if result is None:
        if parsed.json:
            print(json.dumps({"queued": True, "reason": QUEUED_MESSAGE}, ensure_ascii=False))
        else:
            print(QUEUED_MESSAGE, file=sys.stderr)
        return EXIT_HUMAN_NEEDED
    if parsed.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.text)
        print(f"-- {result.provenance.describe('en')} ({result.provenance.at})", file=sys.stderr)
        if result.glossary_terms:
            print(f"-- glossary terms: {'; '.join(result.glossary_terms)}", file=sys.stderr)
    return 0


def _glossary(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="huizhen translate glossary", description="Look a term up in the glossary.")
    parser.add_argument("term", nargs="?", help="a term in Chinese or English")
    parser.add_argument("--stats", action="store_true", help="count entries and surface forms per category")
    parser.add_argument("--json", action="store_true", help="print the entry as JSON")
    parsed = _parse(parser, argv)
    if isinstance(parsed, int):
        return parsed
    glossary = load_glossary()
    if parsed.stats:
        entries = Counter(entry.category for entry in glossary.entries)
        forms: Counter[str] = Counter()
        for entry in glossary.entries:
            forms[entry.category] += len(entry.names("en")) + len(entry.names("zh"))
        for category, count in entries.items():
            print(f"{category:10s} {count:4d} entries {forms[category]:5d} surface forms")
        print(f"{'total':10s} {len(glossary):4d} entries {sum(forms.values()):5d} surface forms")
        return 0
    if not parsed.term:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    for lang in ("zh", "en"):
        found = glossary.entry(parsed.term, lang=lang)
        if found is None:
            continue
        entry = found
        if parsed.json:
            data = {
                "en": entry.en,
                "zh": entry.zh,
                "category": entry.category,
                "en_also": list(entry.en_synonyms),
                "zh_also": list(entry.zh_synonyms),
                "codes": dict(entry.codes),
                "unit": entry.unit,
            }
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        other = "en" if lang == "zh" else "zh"
        print(entry.term(other))
        details = [entry.category, *(f"{system} {code}" for system, code in entry.codes)]
        if entry.unit:
            details.append(f"unit {entry.unit}")
        print(f"-- {entry.en} / {entry.zh} ({', '.join(details)})", file=sys.stderr)
        return 0
    print(f"huizhen translate: {parsed.term!r} is not in the glossary", file=sys.stderr)
    return EXIT_NOT_FOUND


def _code(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="huizhen translate code", description="A coded field's label in both languages."
    )
    parser.add_argument("system", help=f"one of {', '.join(SYSTEMS)}")
    parser.add_argument("code", help="e.g. C83.3, 9680/3, R-CHOP, 718-7, CD20")
    parsed = _parse(parser, argv)
    if isinstance(parsed, int):
        return parsed
    if system_name(parsed.system) is None:
        known = ", ".join(SYSTEMS)
        print(f"huizhen translate: unknown code system {parsed.system!r}: use one of {known}", file=sys.stderr)
        return EXIT_USAGE
    zh = coded_label(parsed.system, parsed.code, lang="zh")
    en = coded_label(parsed.system, parsed.code, lang="en")
    if zh is None or en is None:
        print(f"huizhen translate: {parsed.system} {parsed.code} is not in the shipped tables", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(f"{zh}\n{en}")
    return 0
