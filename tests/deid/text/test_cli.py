"""``huizhen deid text``: files into DIR under their relative names, stdin to stdout, --json spans."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from huizhen.deid.cli import main

REFERRAL = "患者张三，男，45岁，电话13812345678，2023年3月5日入院。\n"
REPORT = "Patient: Zhang San. Phone 138-1234-5678. Biopsy on March 6, 2023.\n"


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "case"
    (root / "reports").mkdir(parents=True)
    (root / "referral.txt").write_text(REFERRAL, encoding="utf-8")
    (root / "reports" / "pathology.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def test_files_are_written_under_out_with_their_relative_names(case: Path, tmp_path: Path) -> None:
    code = main(["text", "case/referral.txt", "case/reports/pathology.txt", "--out", "clean", "--date-shift", "2"])
    assert code == 0
    assert (tmp_path / "clean/case/referral.txt").read_text(encoding="utf-8") == (
        "患者[姓名-1]，男，45岁，电话[电话-1]，2023年3月7日入院。\n"
    )
    assert (tmp_path / "clean/case/reports/pathology.txt").read_text(encoding="utf-8") == (
        "Patient: [NAME-1]. Phone [PHONE-1]. Biopsy on March 8, 2023.\n"
    )


def test_a_folder_is_scrubbed_recursively_keeping_names_inside_it(case: Path, tmp_path: Path) -> None:
    assert main(["text", "case", "--out", "clean"]) == 0
    written = sorted(p.relative_to(tmp_path / "clean").as_posix() for p in (tmp_path / "clean").rglob("*.txt"))
    assert written == ["referral.txt", "reports/pathology.txt"]


def test_the_inputs_are_left_untouched(case: Path) -> None:
    main(["text", "case", "--out", "clean"])
    assert (case / "referral.txt").read_text(encoding="utf-8") == REFERRAL


def test_files_without_out_are_refused(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["text", "case/referral.txt"]) == 2
    assert "--out" in capsys.readouterr().err


def test_an_out_that_would_overwrite_an_input_is_refused(case: Path) -> None:
    assert main(["text", "case/referral.txt", "--out", "."]) == 2
    assert (case / "referral.txt").read_text(encoding="utf-8") == REFERRAL


def test_a_missing_input_is_refused(case: Path) -> None:
    assert main(["text", "case/nothing.txt", "--out", "clean"]) == 2


def test_json_lines_give_each_files_spans_and_types(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["text", "case", "--out", "clean", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["referral.txt", "pathology.txt"]
    assert [(s["kind"], s["text"], s["replacement"]) for s in lines[0]["spans"]][:2] == [
        ("NAME", "张三", "[姓名-1]"),
        ("PHONE", "13812345678", "[电话-1]"),
    ]
    assert lines[1]["language"] == "en"


def test_gb18030_files_are_read_and_written_as_utf8(case: Path, tmp_path: Path) -> None:
    (case / "gbk.txt").write_bytes("患者李四，电话13900001111。".encode("gb18030"))
    assert main(["text", "case/gbk.txt", "--out", "clean"]) == 0
    assert (tmp_path / "clean/case/gbk.txt").read_text(encoding="utf-8") == "患者[姓名-1]，电话[电话-1]。"


def test_standard_input_goes_to_standard_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "huizhen.cli", "deid", "text", "--lang", "en"],
        input=REFERRAL,
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    assert result.stdout == "患者[NAME-1]，男，45岁，电话[PHONE-1]，2023年3月5日入院。\n"


def test_json_on_standard_input_is_one_object(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(REPORT))
    assert main(["text", "--json", "--date-shift", "1"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["text"] == "Patient: [NAME-1]. Phone [PHONE-1]. Biopsy on March 7, 2023.\n"
    assert [s["kind"] for s in payload["spans"]] == ["NAME", "PHONE", "DATE"]


def test_hospitals_are_generalized_on_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("于北京协和医院就诊"))
    assert main(["text", "--generalize-organizations"]) == 0
    assert capsys.readouterr().out == "于[医院]就诊"
