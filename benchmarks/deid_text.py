"""Benchmark of the clinical-text scrubber on the held-out test split, with Presidio's pattern recognizers.

Issue 6, item 4: run :func:`huizhen.deid.text.detect` over the test split of the seeded
synthetic corpus (:mod:`huizhen.deid.text.corpus`) and score it with
:mod:`huizhen.deid.text.evaluate` (recall and precision per PHI kind and per language,
clinical-term retention, MB/s per core); on the English notes, run Presidio's predefined
recognizers that need no NLP model (its pattern recognizers and the phonenumbers-based phone
recognizer; spaCy models cannot be installed offline) as a comparison row, with huizhen on the
same notes and kinds beside it. The result is a Markdown section written into
docs/engines/deid-text.md between the bench markers, with machine, date and versions.
Offline: every socket connection is refused while the benchmark runs.

    uv run --group bench python benchmarks/deid_text.py [--quick] [--no-write] [--split test]
"""

from __future__ import annotations

import argparse
import datetime
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from machine import describe_machine, package_version  # benchmarks/machine.py, beside this script

from huizhen.deid.text.corpus import LANGUAGES, PHI_KINDS, SEEDS, Note, generate
from huizhen.deid.text.evaluate import (
    COVERAGE,
    Evaluation,
    SpanLike,
    Tally,
    evaluate,
    huizhen_detector,
)

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "engines" / "deid-text.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Presidio entity types mapped to the PHI kinds of huizhen.deid.text.
PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "EMAIL",
    "URL": "URL",
    "IP_ADDRESS": "URL",
    "PHONE_NUMBER": "PHONE",
    "DATE_TIME": "DATE",
    "US_SSN": "ID_NUMBER",
    "US_PASSPORT": "ID_NUMBER",
    "US_DRIVER_LICENSE": "ID_NUMBER",
    "US_ITIN": "ID_NUMBER",
    "UK_NHS": "ID_NUMBER",
    "MEDICAL_LICENSE": "RECORD_NUMBER",
    "US_BANK_NUMBER": "RECORD_NUMBER",
    "CREDIT_CARD": "RECORD_NUMBER",
    "IBAN_CODE": "RECORD_NUMBER",
    "CRYPTO": "RECORD_NUMBER",
    "MAC_ADDRESS": "RECORD_NUMBER",
    "UUID": "RECORD_NUMBER",
}
# The kinds Presidio's model-free recognizers can find at all: its recall is measured on these.
PRESIDIO_COVERED = ("EMAIL", "URL", "PHONE", "DATE", "ID_NUMBER")


class NetworkRefused(OSError):
    """Raised by the socket guard: the benchmark must not touch the network."""


def forbid_network() -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise NetworkRefused(f"network access attempted during the benchmark: {address!r}")

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str


class PresidioPatterns:
    """Presidio's predefined English recognizers that run without an NLP model, called directly."""

    def __init__(self) -> None:
        import tldextract
        from presidio_analyzer import EntityRecognizer, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer

        # tldextract would download the public-suffix list; its bundled snapshot is enough.
        email_recognizer.tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[assignment]
        registry = RecognizerRegistry()
        registry.load_predefined_recognizers(languages=["en"])
        self.recognizers = [r for r in registry.recognizers if type(r).__name__ != "SpacyRecognizer"]
        self.names = sorted(type(r).__name__ for r in self.recognizers)
        self._dedupe = EntityRecognizer.remove_duplicates

    def __call__(self, text: str) -> Sequence[SpanLike]:
        results = []
        for recognizer in self.recognizers:
            results += recognizer.analyze(text, recognizer.supported_entities, None) or []
        results = self._dedupe(results)
        return [Found(r.start, r.end, PRESIDIO_KINDS.get(r.entity_type, "RECORD_NUMBER")) for r in results]


def only_kinds(detector: Any, kinds: Sequence[str]) -> Any:
    def filtered(text: str) -> Sequence[SpanLike]:
        return [span for span in detector(text) if span.kind in kinds]

    return filtered


def covered(result: Evaluation, kinds: Sequence[str]) -> Tally:
    """One tally over ``kinds``: recall from their gold rows, precision as scored overall."""
    tally = Tally()
    for kind in kinds:
        row = result.by_kind.get(kind, Tally())
        tally.gold += row.gold
        tally.caught += row.caught
        tally.caught_typed += row.caught_typed
    tally.predicted = result.overall.predicted
    tally.correct = result.overall.correct
    tally.correct_typed = result.overall.correct_typed
    return tally


def machine() -> str:
    return describe_machine(
        f"huizhen {package_version('huizhen')}, presidio-analyzer {package_version('presidio-analyzer')}, "
        f"phonenumbers {package_version('phonenumbers')}, tldextract {package_version('tldextract')}"
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f} %"


def _speed(result: Evaluation) -> str:
    speed = result.mb_per_second
    return "n/a" if speed is None else f"{speed:.2f}"


@dataclass
class Row:
    detector: str
    notes: str
    kinds: str
    result: Evaluation
    tally: Tally


def render(
    *, split: str, full: Evaluation, rows: list[Row], presidio_names: list[str], notes: list[Note], quick: bool
) -> str:
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    english = sum(1 for n in notes if n.language == "en")
    out = [
        f"Measured {today} by `benchmarks/deid_text.py`{' (--quick)' if quick else ''} on the "
        f"**{split}** split (seed {SEEDS[split]}): {full.notes} notes ({english} English), "
        f"{full.chars:,} characters, {full.bytes / 1e6:.2f} MB UTF-8. Matching: caught when predictions "
        f"cover ≥ {COVERAGE:.0%} of a gold span; a prediction is correct when it overlaps one; "
        "ORGANIZATION is outside the overall figures (policy). Throughput: one process, CPU time of "
        "`detect`, after a warm-up call.",
        "",
        f"Machine: {machine()}.",
        "",
        "| detector | notes | kinds | gold | recall | typed recall | predicted | precision | typed precision "
        "| retention | MB/s per core |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        t = row.tally
        out.append(
            f"| {row.detector} | {row.notes} | {row.kinds} | {t.gold} | {_pct(t.recall)} | {_pct(t.recall_typed)} "
            f"| {t.predicted} | {_pct(t.precision)} | {_pct(t.precision_typed)} | {_pct(row.result.retention)} "
            f"| {_speed(row.result)} |"
        )
    out += [
        "",
        f"huizhen by kind ({split} split, all notes):",
        "",
        "| kind | gold | recall | typed recall | predicted | precision | typed precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in PHI_KINDS:
        if kind in full.by_kind:
            t = full.by_kind[kind]
            out.append(
                f"| {kind}{' (policy)' if kind == 'ORGANIZATION' else ''} | {t.gold} | {_pct(t.recall)} "
                f"| {_pct(t.recall_typed)} | {t.predicted} | {_pct(t.precision)} | {_pct(t.precision_typed)} |"
            )
    out += [
        "",
        f"huizhen by language ({split} split, ORGANIZATION excluded):",
        "",
        "| language | notes | gold | recall | typed recall | predicted | precision | typed precision |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lang in LANGUAGES:
        if lang in full.by_language:
            t = full.by_language[lang]
            count = sum(1 for n in notes if n.language == lang)
            out.append(
                f"| {lang} | {count} | {t.gold} | {_pct(t.recall)} | {_pct(t.recall_typed)} | {t.predicted} "
                f"| {_pct(t.precision)} | {_pct(t.precision_typed)} |"
            )
    presidio = next((row for row in rows if row.detector.startswith("Presidio")), None)
    if presidio is not None:
        out += [
            "",
            "Presidio patterns by kind (English notes):",
            "",
            "| kind | gold | recall | typed recall | predicted | precision |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind in PHI_KINDS:
            t = presidio.result.by_kind.get(kind)
            if t is not None and (t.gold or t.predicted) and (kind in PRESIDIO_COVERED or t.predicted):
                out.append(
                    f"| {kind} | {t.gold} | {_pct(t.recall)} | {_pct(t.recall_typed)} | {t.predicted} "
                    f"| {_pct(t.precision)} |"
                )
        out += ["", f"Presidio recognizers run: {', '.join(presidio_names)}."]
    out += ["", "Targets (issue 6), huizhen on all notes of the split:", ""]
    for what, value, target, met in full.targets():
        shown = "n/a" if value is None else (f"{value:.2f}" if "MB/s" in what else _pct(value))
        wanted = f"≥ {target:.2f}" if "MB/s" in what else f"≥ {100 * target:.1f} %"
        out.append(f"- {what}: {shown} (target {wanted}) — {'met' if met else 'NOT met'}")
    return "\n".join(out)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{section}\n{END}{after}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", choices=tuple(SEEDS), default="test")
    parser.add_argument("--count", type=int, default=None, help="notes (default: the whole split)")
    parser.add_argument("--quick", action="store_true", help="60 notes, never writes the docs")
    parser.add_argument("--no-write", action="store_true", help="print the section without touching the docs")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison row")
    args = parser.parse_args(argv)
    forbid_network()
    count = 60 if args.quick else args.count
    notes = generate(args.split) if count is None else generate(args.split, count=count)
    english = [n for n in notes if n.language == "en"]

    full = evaluate(notes, huizhen_detector, split=args.split)
    rows = [Row("huizhen", "all", "all but ORGANIZATION", full, full.overall)]
    huizhen_en = evaluate(english, huizhen_detector, split=args.split)
    rows.append(Row("huizhen", "English", "all but ORGANIZATION", huizhen_en, huizhen_en.overall))
    presidio_names: list[str] = []
    if not args.no_presidio:
        try:
            presidio = PresidioPatterns()
        except ImportError as exc:
            print(f"Presidio not installed ({exc}); uv sync --group bench", file=sys.stderr)
        else:
            presidio_names = presidio.names
            restricted = evaluate(english, only_kinds(huizhen_detector, PRESIDIO_COVERED), split=args.split)
            kinds = ", ".join(PRESIDIO_COVERED)
            rows.append(Row("huizhen", "English", kinds, restricted, covered(restricted, PRESIDIO_COVERED)))
            result = evaluate(english, presidio, split=args.split)
            rows.append(Row("Presidio patterns", "English", kinds, result, covered(result, PRESIDIO_COVERED)))
    section = render(
        split=args.split, full=full, rows=rows, presidio_names=presidio_names, notes=notes, quick=args.quick
    )
    print(section)
    if not (args.quick or args.no_write):
        write_doc(section)
        print(f"\nwritten to {DOC.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
