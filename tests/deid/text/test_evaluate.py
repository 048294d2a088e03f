"""The evaluation harness: its arithmetic on hand-made notes, and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from huizhen.deid.text.corpus import KEEP, GoldSpan, Note
from huizhen.deid.text.evaluate import SpanLike, evaluate, main, render_text, score

TEXT = "患者张伟，住院号ZY2023001，于2023年3月5日确诊霍奇金淋巴瘤，北京协和医院。"


@dataclass(frozen=True)
class Predicted:
    start: int
    end: int
    kind: str


def _span(kind: str, surface: str, text: str = TEXT) -> GoldSpan:
    start = text.index(surface)
    return GoldSpan(start, start + len(surface), kind, surface)


def _note(language: str = "zh") -> Note:
    return Note(
        id="t-1",
        split="dev",
        note_type="referral",
        language=language,
        text=TEXT,
        phi=(
            _span("NAME", "张伟"),
            _span("RECORD_NUMBER", "ZY2023001"),
            _span("DATE", "2023年3月5日"),
            _span("ORGANIZATION", "北京协和医院"),
        ),
        retain=(_span(KEEP, "霍奇金淋巴瘤"),),
    )


def _perfect(note: Note) -> list[Predicted]:
    return [Predicted(s.start, s.end, s.kind) for s in note.phi]


def test_a_detector_that_finds_nothing_has_recall_zero_and_keeps_every_term() -> None:
    result = score([_note()], [[]])
    assert result.overall.recall == 0.0
    assert result.overall.precision is None
    assert result.retention == 1.0


def test_a_perfect_detector_has_recall_precision_and_retention_one() -> None:
    note = _note()
    result = score([note], [_perfect(note)])
    assert result.overall.recall == 1.0
    assert result.overall.recall_typed == 1.0
    assert result.overall.precision == 1.0
    assert result.retention == 1.0
    assert result.by_kind["NAME"].recall == 1.0


def test_a_detector_that_tags_everything_has_retention_zero_and_full_recall() -> None:
    result = score([_note()], [[Predicted(0, len(TEXT), "NAME")]])
    assert result.retention == 0.0
    assert result.overall.recall == 1.0
    assert result.overall.recall_typed == 1 / 3


def test_phi_caught_under_the_wrong_kind_counts_for_recall_but_not_typed_recall() -> None:
    gold = _span("RECORD_NUMBER", "ZY2023001")
    result = score([_note()], [[Predicted(gold.start, gold.end, "PHONE")]])
    assert result.by_kind["RECORD_NUMBER"].recall == 1.0
    assert result.by_kind["RECORD_NUMBER"].recall_typed == 0.0
    assert result.overall.precision == 1.0
    assert result.overall.precision_typed == 0.0


def test_a_span_is_caught_only_when_90_percent_of_it_is_covered() -> None:
    gold = _span("RECORD_NUMBER", "ZY2023001")  # 9 characters: 8 covered is 89 %
    assert (
        score([_note()], [[Predicted(gold.start, gold.end - 1, "RECORD_NUMBER")]]).by_kind["RECORD_NUMBER"].caught == 0
    )
    two_parts = [Predicted(gold.start, gold.start + 4, "DATE"), Predicted(gold.start + 4, gold.end, "PHONE")]
    assert score([_note()], [two_parts]).by_kind["RECORD_NUMBER"].caught == 1


def test_a_prediction_outside_every_gold_span_is_a_false_positive() -> None:
    note = _note()
    start = TEXT.index("确诊")
    result = score([note], [[*_perfect(note), Predicted(start, start + 2, "NAME")]])
    assert result.overall.predicted == 4
    assert result.overall.correct == 3
    assert result.overall.precision == 0.75
    assert [f.text for f in result.false_positives] == ["确诊"]


def test_organizations_are_reported_but_left_out_of_the_overall_figures() -> None:
    result = score([_note()], [[]])
    assert result.overall.gold == 3
    assert result.by_kind["ORGANIZATION"].gold == 1
    unmatched_department = Predicted(0, 2, "ORGANIZATION")
    assert score([_note()], [[unmatched_department]]).overall.predicted == 0


def test_a_retention_target_is_lost_when_any_prediction_overlaps_it() -> None:
    target = _span(KEEP, "霍奇金淋巴瘤")
    result = score([_note()], [[Predicted(target.start, target.start + 1, "NAME")]])
    assert result.retention == 0.0
    assert [f.text for f in result.touched] == ["霍奇金淋巴瘤"]


def test_results_are_split_by_language() -> None:
    zh, en = _note("zh"), _note("en")
    result = score([zh, en], [_perfect(zh), []])
    assert result.by_language["zh"].recall == 1.0
    assert result.by_language["en"].recall == 0.0
    assert result.overall.recall == 0.5


def test_evaluate_times_the_detector_and_reports_throughput() -> None:
    def detector(text: str) -> Sequence[SpanLike]:
        return [Predicted(0, 2, "NAME")]

    result = evaluate([_note()] * 50, detector, split="dev")
    assert result.bytes == 50 * len(TEXT.encode())
    assert result.cpu_seconds >= 0
    assert result.notes == 50


def test_the_report_shows_targets_and_hides_findings_for_the_test_split() -> None:
    result = score([_note()], [[]], split="test")
    report = render_text(result, show_findings=False)
    assert "recall, NAME" in report
    assert "NOT met" in report
    assert "ZY2023001" not in report
    assert "ZY2023001" in render_text(result, show_findings=True)


def test_the_command_prints_json_for_a_supplied_detector(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--split", "dev", "--count", "9", "--json"], detector=lambda text: []) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["notes"] == 9
    assert payload["overall"]["recall"] == 0.0
    assert payload["retention"]["rate"] == 1.0


def test_the_check_option_fails_when_a_target_is_missed() -> None:
    assert main(["--count", "6", "--check"], detector=lambda text: []) == 1


def test_the_module_runs_the_scrubber_from_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "huizhen.deid.text.evaluate", "--split", "dev", "--count", "30"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Targets (issue 6):" in result.stdout
