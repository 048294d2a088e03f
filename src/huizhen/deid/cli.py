"""The ``huizhen deid`` command: de-identification engines on files, without Django.

``huizhen deid dicom INPUT... --out DIR --report REPORT.json`` runs the DICOM engine
(:mod:`huizhen.deid.dicom`, DICOM PS3.15 Annex E Basic Profile with options) over files
and folders. Exit status: 0 when every input was de-identified or quarantined, 1 when any
was rejected (the report is still written), 2 on a usage error, reported in one line.
``huizhen deid text [FILE...] --out DIR`` runs the clinical text scrubber
(:mod:`huizhen.deid.text`) over files (or standard input to standard output); one scrub
context per invocation, so the tags of one case's files agree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from huizhen.deid.dicom.pipeline import Report, deidentify_paths
from huizhen.deid.dicom.profile import OPTION_CODES, Options
from huizhen.deid.text import ScrubContext, ScrubResult, scrub

# A shorter key would make the keyed UID hash guessable; 32 random bytes is the advice.
MIN_KEY_BYTES = 16
KEY_ADVICE = "create one with: head -c 32 /dev/urandom > deid.key && chmod 600 deid.key"


class UsageError(Exception):
    """A mistake in the command line or its files: one line, exit status 2."""


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return 0 if exc.code == 0 else 2
    try:
        if args.engine == "dicom":
            return _dicom(args)
        if args.engine == "text":
            return _text(args)
    except UsageError as exc:
        print(f"huizhen deid: {exc}", file=sys.stderr)
        return 2
    parser.print_usage(sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huizhen deid", description="De-identify data before it leaves the hospital.")
    engines = parser.add_subparsers(dest="engine", metavar="ENGINE")
    dicom = engines.add_parser(
        "dicom",
        help="DICOM files and folders (PS3.15 Basic Profile with options)",
        description="De-identify DICOM files and folders (recursively) into DIR/<Study>/<Series>/<SOP>.dcm.",
    )
    dicom.add_argument("inputs", nargs="*", type=Path, metavar="INPUT", help="DICOM files or folders")
    dicom.add_argument("--out", type=Path, help="output folder (names come from the new UIDs only)")
    dicom.add_argument("--report", type=Path, help="JSON report of every input")
    dicom.add_argument(
        "--options",
        default="",
        help="comma-separated options over the defaults, e.g. retain-device-identity,no-clean-descriptors",
    )
    dicom.add_argument("--key-file", type=Path, help=f"secret key for the keyed UID hash ({KEY_ADVICE})")
    dicom.add_argument("--vault", type=Path, help="pseudonym vault (SQLite) reused across runs")
    dicom.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)")
    dicom.add_argument("--quarantine", type=Path, help="folder for held objects (burned-in text risk)")
    dicom.add_argument("--list-options", action="store_true", help="list the profile options and exit")
    text = engines.add_parser(
        "text",
        help="clinical text in Chinese, English or both (PHI tagged, dates shifted)",
        description=(
            "Scrub PHI from text files into DIR under the same relative names, "
            "or from standard input to standard output when no FILE is given."
        ),
    )
    text.add_argument("files", nargs="*", type=Path, metavar="FILE", help="UTF-8 (or GB18030) text files or folders")
    text.add_argument("--out", type=Path, help="output folder (required with files; inputs are never overwritten)")
    text.add_argument("--lang", choices=("auto", "zh", "en"), default="auto", help="language of the tags")
    text.add_argument("--json", action="store_true", help="print the spans and their types as JSON")
    text.add_argument("--date-shift", type=int, default=0, metavar="DAYS", help="shift dates by DAYS (the patient's)")
    text.add_argument(
        "--generalize-organizations",
        action="store_true",
        help="replace hospital and department names by [医院]/[HOSPITAL] (default: keep them)",
    )
    return parser


def _dicom(args: argparse.Namespace) -> int:
    if args.list_options:
        defaults = Options()
        for name, (code, meaning) in sorted(OPTION_CODES.items(), key=lambda item: item[1][0]):
            state = "on " if getattr(defaults, name) else "off"
            print(f"{code}  {state}  {name.replace('_', '-'):40s} {meaning}")
        return 0
    if not args.inputs:
        raise UsageError("dicom: at least one INPUT file or folder is required")
    if args.out is None or args.report is None:
        raise UsageError("dicom: --out DIR and --report REPORT.json are required")
    missing = [str(path) for path in args.inputs if not path.exists()]
    if missing:
        raise UsageError(f"dicom: input not found: {missing[0]}")
    if args.workers < 1:
        raise UsageError("dicom: --workers must be at least 1")
    try:
        options = Options.from_names(args.options.split(","))
    except ValueError as exc:
        raise UsageError(f"dicom: {exc}") from exc
    key = _read_key(args.key_file)
    report = deidentify_paths(
        args.inputs,
        out_dir=args.out,
        uid_key=key,
        options=options,
        vault_path=args.vault,
        workers=args.workers,
        quarantine_dir=args.quarantine,
    )
    _write_report(report, args.report)
    summary = report.summary
    print(
        f"huizhen deid dicom: {summary['files']} files: {summary['deidentified']} de-identified, "
        f"{summary['quarantined']} quarantined, {summary['rejected']} rejected "
        f"in {summary['seconds']} s ({summary['megabytes_per_second']} MB/s); report: {args.report}"
    )
    return 1 if report.count("rejected") else 0


def _read_key(path: Path | None) -> bytes:
    if path is None:
        raise UsageError(f"dicom: --key-file is required; {KEY_ADVICE}")
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"dicom: key file not found: {path}; {KEY_ADVICE}") from None
    except OSError as exc:
        raise UsageError(f"dicom: cannot read key file {path}: {exc.strerror}") from None
    if len(key) < MIN_KEY_BYTES:
        raise UsageError(f"dicom: key file {path} holds {len(key)} bytes, need at least {MIN_KEY_BYTES}; {KEY_ADVICE}")
    return key


def _write_report(report: Report, path: Path) -> None:
    """Write the report atomically: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(report.to_json(), stream, ensure_ascii=False, indent=1)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _text(args: argparse.Namespace) -> int:
    context = ScrubContext(date_shift_days=args.date_shift, keep_organizations=not args.generalize_organizations)
    if not args.files:
        result = scrub(sys.stdin.read(), lang=args.lang, context=context)
        if args.json:
            print(json.dumps({"text": result.text, **_result_json(result)}, ensure_ascii=False))
        else:
            sys.stdout.write(result.text)
        return 0
    if args.out is None:
        raise UsageError("text: --out DIR is required with files (standard input goes to standard output)")
    jobs = _text_jobs(args.files, args.out)
    for source, target in jobs:
        result = scrub(_read_text(source), lang=args.lang, context=context)
        _write_atomically(target, result.text)
        if args.json:
            print(json.dumps({"file": str(source), "out": str(target), **_result_json(result)}, ensure_ascii=False))
    if not args.json:
        print(f"huizhen deid text: {len(jobs)} files scrubbed into {args.out}", file=sys.stderr)
    return 0


def _text_jobs(inputs: Sequence[Path], out: Path) -> list[tuple[Path, Path]]:
    """(input, output) pairs: a file keeps its relative name, a folder's files their names inside it."""
    pairs: list[tuple[Path, Path]] = []
    for given in inputs:
        if given.is_dir():
            pairs.extend((path, out / path.relative_to(given)) for path in sorted(given.rglob("*")) if path.is_file())
        elif given.is_file():
            relative = given if not given.is_absolute() and ".." not in given.parts else Path(given.name)
            pairs.append((given, out / relative))
        else:
            raise UsageError(f"text: input not found: {given}")
    sources = {source.resolve() for source, _target in pairs}
    for _source, target in pairs:
        if target.resolve() in sources:
            raise UsageError(f"text: {target} would overwrite an input; choose another --out")
    return pairs


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")  # Chinese hospital systems still export GBK
        except UnicodeDecodeError:
            raise UsageError(f"text: {path} is neither UTF-8 nor GB18030 text") from None


def _write_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _result_json(result: ScrubResult) -> dict[str, object]:
    return {
        "language": result.language,
        "spans": [
            {"start": s.start, "end": s.end, "kind": s.kind, "text": s.text, "replacement": s.replacement}
            for s in result.spans
        ],
    }
