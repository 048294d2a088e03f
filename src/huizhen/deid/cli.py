"""The ``huizhen deid`` command: de-identification engines on files, without Django.

``huizhen deid dicom INPUT... --out DIR --report REPORT.json`` runs the DICOM engine
(:mod:`huizhen.deid.dicom`, DICOM PS3.15 Annex E Basic Profile with options) over files
and folders. Exit status: 0 when every input was de-identified or quarantined, 1 when any
was rejected (the report is still written), 2 on a usage error, reported in one line.
Further engines (``huizhen deid text``) are added as subcommands beside ``dicom``.
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
