"""Evaluation of the clinical-text scrubber on the labelled synthetic corpus (issue 6, item 4).

``python -m huizhen.deid.text.evaluate [--split dev|dev2|dev3|test] [--json]`` runs
:func:`huizhen.deid.text.detect` over every note of a split of :mod:`huizhen.deid.text.corpus`
and reports, beside the issue's targets, recall and precision per PHI kind and per language,
clinical-term retention and throughput. Matching rules (span level):

* **Recall.** A gold span is *caught* when the predicted spans of any kind together cover at
  least :data:`COVERAGE` (90 %) of its characters: PHI found under the wrong kind is still
  removed. *Type-strict* recall counts only predicted spans of the gold span's kind.
* **Precision.** A predicted span is *correct* when it overlaps a gold PHI span of any kind
  (type-strict: of its own kind); boundaries are not judged here, over-reach is measured by
  retention.
* **Policy kind.** Hospital names (ORGANIZATION) are kept or generalised as the policy says,
  so they are reported in their own row but left out of the overall and per-language figures,
  and ORGANIZATION predictions are left out of overall precision.
* **Retention.** A retention target (eponym, place-like term, drug, regimen, gene, word
  beginning with a surname character) is *retained* when no predicted span of any kind
  overlaps it.
* **Throughput.** UTF-8 megabytes (10^6 bytes) of note text per CPU second of
  :func:`~huizhen.deid.text.detect` in this single process, after one untimed warm-up call;
  wall time is shown beside it.

Missed spans and false positives are listed for the dev, dev2 and dev3 splits only: the test split is
held out, so its misses are never read while the scrubber is tuned.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from huizhen.deid.text.corpus import DEFAULT_COUNT, LANGUAGES, PHI_KINDS, SEEDS, Note, generate

COVERAGE = 0.9
POLICY_KINDS = frozenset({"ORGANIZATION"})
# Targets of issue 6, item 4.
TARGET_RECALL = 0.99
TARGET_RECALL_STRICT_KINDS = {"NAME": 0.995, "ID_NUMBER": 0.995}
TARGET_PRECISION = 0.90
TARGET_RETENTION = 0.99
TARGET_MB_PER_S = 1.0
CONTEXT_CHARS = 18


class SpanLike(Protocol):
    """What the harness reads of a predicted span (``huizhen.deid.text.Span`` has more)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...


Detector = Callable[[str], Sequence[SpanLike]]


@dataclass
class Tally:
    """Counts behind one row: gold spans caught (any kind / same kind), predictions correct."""

    gold: int = 0
    caught: int = 0
    caught_typed: int = 0
    predicted: int = 0
    correct: int = 0
    correct_typed: int = 0

    @property
    def recall(self) -> float | None:
        return self.caught / self.gold if self.gold else None

    @property
    def recall_typed(self) -> float | None:
        return self.caught_typed / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def precision_typed(self) -> float | None:
        return self.correct_typed / self.predicted if self.predicted else None

    def as_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "caught": self.caught,
            "caught_typed": self.caught_typed,
            "predicted": self.predicted,
            "correct": self.correct,
            "correct_typed": self.correct_typed,
            "recall": self.recall,
            "recall_typed": self.recall_typed,
            "precision": self.precision,
            "precision_typed": self.precision_typed,
        }


@dataclass(frozen=True)
class Finding:
    """A missed gold span, a false positive or a touched retention target, with its context."""

    note: str
    language: str
    kind: str
    text: str
    context: str
    covered: float = 0.0


@dataclass
class Evaluation:
    """The result of one run: tallies, retention, throughput and the findings behind them."""

    split: str
    notes: int
    chars: int
    bytes: int
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    retain_total: int = 0
    retain_kept: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    missed: list[Finding] = field(default_factory=list)
    false_positives: list[Finding] = field(default_factory=list)
    touched: list[Finding] = field(default_factory=list)

    @property
    def retention(self) -> float | None:
        return self.retain_kept / self.retain_total if self.retain_total else None

    @property
    def mb_per_second(self) -> float | None:
        return self.bytes / 1e6 / self.cpu_seconds if self.cpu_seconds > 0 else None

    def targets(self) -> list[tuple[str, float | None, float, bool]]:
        """(what, measured, target, met) for every target of the issue."""
        rows: list[tuple[str, float | None, float]] = [("recall, overall", self.overall.recall, TARGET_RECALL)]
        for kind, target in TARGET_RECALL_STRICT_KINDS.items():
            rows.append((f"recall, {kind}", self.by_kind[kind].recall if kind in self.by_kind else None, target))
        rows += [
            ("precision, overall", self.overall.precision, TARGET_PRECISION),
            ("clinical-term retention", self.retention, TARGET_RETENTION),
            ("throughput, MB/s per core", self.mb_per_second, TARGET_MB_PER_S),
        ]
        return [(what, value, target, value is not None and value >= target) for what, value, target in rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "notes": self.notes,
            "chars": self.chars,
            "bytes": self.bytes,
            "matching": {"coverage": COVERAGE, "policy_kinds": sorted(POLICY_KINDS)},
            "overall": self.overall.as_json(),
            "by_kind": {kind: self.by_kind[kind].as_json() for kind in PHI_KINDS if kind in self.by_kind},
            "by_language": {lang: self.by_language[lang].as_json() for lang in LANGUAGES if lang in self.by_language},
            "retention": {"targets": self.retain_total, "retained": self.retain_kept, "rate": self.retention},
            "throughput": {
                "cpu_seconds": self.cpu_seconds,
                "wall_seconds": self.wall_seconds,
                "mb_per_second": self.mb_per_second,
            },
            "targets": [
                {"what": what, "value": value, "target": target, "met": met}
                for what, value, target, met in self.targets()
            ],
        }


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return f"{before}⟦{text[start:end]}⟧{after}".replace("\n", "⏎")


def score(
    notes: Sequence[Note],
    predictions: Sequence[Sequence[SpanLike]],
    *,
    split: str = "",
    cpu_seconds: float = 0.0,
    wall_seconds: float = 0.0,
) -> Evaluation:
    """Compare ``predictions`` (one sequence of spans per note) with the gold spans of ``notes``."""
    if len(notes) != len(predictions):
        raise ValueError(f"{len(predictions)} predictions for {len(notes)} notes")
    result = Evaluation(
        split=split,
        notes=len(notes),
        chars=sum(len(n.text) for n in notes),
        bytes=sum(len(n.text.encode("utf-8")) for n in notes),
        cpu_seconds=cpu_seconds,
        wall_seconds=wall_seconds,
    )
    for note, predicted in zip(notes, predictions, strict=True):
        _score_note(result, note, predicted)
    return result


def _score_note(result: Evaluation, note: Note, predicted: Sequence[SpanLike]) -> None:
    size = len(note.text)
    covered_any = bytearray(size)
    covered_by_kind: dict[str, bytearray] = {}
    for span in predicted:
        start, end = max(0, span.start), min(size, span.end)
        if end <= start:
            continue
        covered_any[start:end] = b"\x01" * (end - start)
        covered_by_kind.setdefault(span.kind, bytearray(size))[start:end] = b"\x01" * (end - start)
    language_tally = result.by_language[note.language]
    for gold in note.phi:
        length = gold.end - gold.start
        share = sum(covered_any[gold.start : gold.end]) / length
        typed_map = covered_by_kind.get(gold.kind)
        share_typed = sum(typed_map[gold.start : gold.end]) / length if typed_map is not None else 0.0
        caught, caught_typed = share >= COVERAGE, share_typed >= COVERAGE
        tallies = [result.by_kind[gold.kind]]
        if gold.kind not in POLICY_KINDS:
            tallies += [result.overall, language_tally]
        for tally in tallies:
            tally.gold += 1
            tally.caught += caught
            tally.caught_typed += caught_typed
        if not caught:
            finding = Finding(
                note.id, note.language, gold.kind, gold.text, _context(note.text, gold.start, gold.end), share
            )
            result.missed.append(finding)
    for span in predicted:
        hits = [g for g in note.phi if _overlaps(span.start, span.end, g.start, g.end)]
        correct = bool(hits)
        correct_typed = any(g.kind == span.kind for g in hits)
        tallies = [result.by_kind[span.kind]]
        if span.kind not in POLICY_KINDS:
            tallies += [result.overall, language_tally]
        for tally in tallies:
            tally.predicted += 1
            tally.correct += correct
            tally.correct_typed += correct_typed
        if not correct:
            text = note.text[span.start : span.end]
            result.false_positives.append(
                Finding(note.id, note.language, span.kind, text, _context(note.text, span.start, span.end))
            )
    for target in note.retain:
        result.retain_total += 1
        if any(_overlaps(span.start, span.end, target.start, target.end) for span in predicted):
            result.touched.append(
                Finding(note.id, note.language, "KEEP", target.text, _context(note.text, target.start, target.end))
            )
        else:
            result.retain_kept += 1


def evaluate(notes: Sequence[Note], detector: Detector, *, split: str = "") -> Evaluation:
    """Run ``detector`` over every note (timed, single process) and score its spans."""
    if notes:
        detector(notes[0].text)  # warm-up: imports, compiled patterns and caches are not throughput
    predictions: list[Sequence[SpanLike]] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for note in notes:
        predictions.append(detector(note.text))
    cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    return score(notes, predictions, split=split, cpu_seconds=cpu, wall_seconds=wall)


def huizhen_detector(text: str) -> Sequence[SpanLike]:
    """The scrubber under test, as the CLI runs it (language detected per note)."""
    from huizhen.deid.text import detect

    return detect(text, lang="auto")


# --- reports -------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f} %"


def _row(label: str, tally: Tally) -> str:
    return (
        f"  {label:<14} {tally.gold:>6} {_pct(tally.recall):>9} {_pct(tally.recall_typed):>9}"
        f" {tally.predicted:>7} {_pct(tally.precision):>9} {_pct(tally.precision_typed):>9}"
    )


def _examples(findings: Sequence[Finding], limit: int) -> list[Finding]:
    """Up to ``limit`` findings, round-robin across kinds so that every kind shows."""
    by_kind: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_kind[finding.kind].append(finding)
    chosen: list[Finding] = []
    queues = sorted(by_kind.values(), key=len, reverse=True)
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def render_text(result: Evaluation, *, listing: int = 30, show_findings: bool = True) -> str:
    """The human-readable report: tables, targets and (dev, dev2 and dev3 splits) the findings."""
    header = f"  {'':<14} {'gold':>6} {'recall':>9} {'typed':>9} {'pred':>7} {'precision':>9} {'typed':>9}"
    lines = [
        f"Split {result.split or '?'}: {result.notes} notes, {result.chars} characters, {result.bytes / 1e6:.2f} MB.",
        f"Matching: a gold span is caught when predictions of any kind cover >= {COVERAGE:.0%} of it"
        " ('typed': of its own kind);",
        "a prediction is correct when it overlaps a gold span. ORGANIZATION (policy) is left out of the overall rows.",
        "",
        "By kind:",
        header,
    ]
    lines += [_row(kind, result.by_kind[kind]) for kind in PHI_KINDS if kind in result.by_kind]
    lines += ["By language:", header]
    lines += [_row(lang, result.by_language[lang]) for lang in LANGUAGES if lang in result.by_language]
    lines += ["Overall:", header, _row("all but ORG", result.overall), ""]
    lines.append(
        f"Retention: {result.retain_kept}/{result.retain_total} clinical terms untouched ({_pct(result.retention)})."
    )
    speed = result.mb_per_second
    lines.append(
        f"Throughput: {'n/a' if speed is None else f'{speed:.2f}'} MB/s per core "
        f"({result.cpu_seconds:.2f} s CPU, {result.wall_seconds:.2f} s wall, single process)."
    )
    lines += ["", "Targets (issue 6):"]
    for what, value, target, met in result.targets():
        shown = "n/a" if value is None else (f"{value:.2f}" if "MB/s" in what else _pct(value))
        wanted = f">= {target:.2f}" if "MB/s" in what else f">= {100 * target:.1f} %"
        lines.append(f"  {what:<28} {shown:>10}  {wanted:<10} {'met' if met else 'NOT met'}")
    if not show_findings:
        lines += ["", "Missed spans and false positives are not listed for the held-out test split."]
        return "\n".join(lines)
    lines += ["", f"Missed spans ({len(result.missed)}; up to {listing}, every kind shown):"]
    lines += [f"  {f.kind:<13} {f.note:<9} {f.context}" for f in _examples(result.missed, listing)]
    fp_counts = Counter((f.kind, f.text) for f in result.false_positives)
    lines += ["", f"False positives ({len(result.false_positives)}; most frequent {listing}):"]
    lines += [f"  {kind:<13} {count:>4} x {text!r}" for (kind, text), count in fp_counts.most_common(listing)]
    touched_counts = Counter(f.text for f in result.touched)
    lines += ["", f"Retention targets touched ({len(result.touched)}; most frequent {listing}):"]
    lines += [f"  {count:>4} x {text!r}" for text, count in touched_counts.most_common(listing)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, *, detector: Detector | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m huizhen.deid.text.evaluate",
        description="Recall, precision, retention and throughput of huizhen.deid.text.detect on the synthetic corpus.",
    )
    parser.add_argument("--split", choices=tuple(SEEDS), default="dev")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"notes (default {DEFAULT_COUNT})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--listing", type=int, default=30, help="missed spans and false positives to list (dev, dev2, dev3)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target of the issue is not met")
    args = parser.parse_args(argv)
    notes = generate(args.split, count=args.count)
    result = evaluate(notes, detector or huizhen_detector, split=args.split)
    show = args.split != "test"
    if args.json:
        payload = result.as_json()
        if show:
            payload["missed"] = [f.__dict__ for f in _examples(result.missed, args.listing)]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render_text(result, listing=args.listing, show_findings=show))
    if args.check and not all(met for *_, met in result.targets()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
