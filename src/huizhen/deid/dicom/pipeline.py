"""Pipeline: de-identify files and folders into a UID-named tree, with a per-file report.

Issue 5, items 7 and 10. Inputs are walked recursively in sorted order (so runs are
deterministic), rewritten by :mod:`huizhen.deid.dicom.rewriter` in a process pool, and
placed at ``<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`` built from the
NEW UIDs only: input names often contain patient names (PS3.15 Annex E treats file names
as outside the data set, so the profile itself says nothing about them). Workers write
complete files under a temporary ``.part`` name; the parent process, the one arbiter of
names, renames them in input order, so a second input with the same SOP Instance UID is
rejected instead of silently overwriting the first. Objects held by the Clean Pixel Data
hold are never written to the output; with a quarantine folder they go there instead,
still de-identified header-wise. The report lists every input with its outcome.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from huizhen.deid.dicom.dataset import DeidContext
from huizhen.deid.dicom.descriptors import DescriptorCleaner
from huizhen.deid.dicom.profile import Options
from huizhen.deid.dicom.rewriter import (
    Deidentifier,
    RejectedFile,
    context_deidentifier,
    prepare_file,
    write_part,
)
from huizhen.deid.dicom.vault import SqliteVault

Status = Literal["deidentified", "quarantined", "rejected"]
DUPLICATE_REASON = "duplicate SOP Instance UID"


@dataclass(frozen=True)
class FileRow:
    """One input file in the report; ``source`` is relative to its input root."""

    source: str
    status: Status
    output: str | None
    reason: str | None
    quarantine: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "status": self.status,
            "output": self.output,
            "reason": self.reason,
            "quarantine": self.quarantine,
        }


@dataclass
class Report:
    """Every input with its outcome, plus counts, bytes and time for the run."""

    files: list[FileRow] = field(default_factory=list)
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    workers: int = 1
    method: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for row in self.files if row.status == status)

    @property
    def summary(self) -> dict[str, object]:
        seconds = max(self.seconds, 1e-9)
        return {
            "files": len(self.files),
            "deidentified": self.count("deidentified"),
            "quarantined": self.count("quarantined"),
            "rejected": self.count("rejected"),
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "seconds": round(self.seconds, 3),
            "files_per_second": round(len(self.files) / seconds, 1),
            "megabytes_per_second": round(self.bytes_in / seconds / 1e6, 1),
            "workers": self.workers,
            "deidentification_method": [{"code": code, "meaning": meaning} for code, meaning in self.method],
        }

    def to_json(self) -> dict[str, object]:
        return {"files": [row.to_json() for row in self.files], "summary": self.summary}


@dataclass(frozen=True)
class RunSettings:
    """What every worker needs to build its own :class:`DeidContext` (picklable)."""

    uid_key: bytes
    options: Options
    vault_path: Path
    out_dir: Path
    quarantine_dir: Path | None


@dataclass(frozen=True)
class _Input:
    index: int
    path: Path
    source: str


@dataclass(frozen=True)
class _Written:
    """A worker's result: a complete ``.part`` file awaiting its final name, or a refusal."""

    index: int
    status: Status
    part: Path | None
    target: Path | None
    reason: str | None
    bytes_in: int
    bytes_out: int


def deidentify_paths(
    inputs: Sequence[Path],
    *,
    out_dir: Path,
    uid_key: bytes,
    options: Options | None = None,
    vault_path: Path | None = None,
    workers: int = 1,
    quarantine_dir: Path | None = None,
) -> Report:
    """De-identify every file under ``inputs`` into ``out_dir`` and report each one.

    Without ``vault_path`` the run uses a temporary vault, so the workers still agree on
    surrogates and date shifts within the run; with it, the next run reuses them.
    """
    started = time.perf_counter()
    out_dir = out_dir.resolve()
    quarantine_dir = quarantine_dir.resolve() if quarantine_dir is not None else None
    options = options if options is not None else Options()
    if options.clean_descriptors and options.text_cleaner is None:
        # Clean Descriptors cleans with the clinical text scrubber (issue 6) rather than removing.
        options = replace(options, text_cleaner=DescriptorCleaner())
    excluded = [p for p in (out_dir, quarantine_dir) if p is not None]
    files = [_Input(index, path, source) for index, (path, source) in enumerate(walk_inputs(inputs, exclude=excluded))]
    report = Report(workers=max(1, workers), method=options.method_codes())
    with tempfile.TemporaryDirectory(prefix="huizhen-vault-") as scratch:
        settings = RunSettings(
            uid_key=uid_key,
            options=options,
            vault_path=vault_path if vault_path is not None else Path(scratch) / "vault.sqlite3",
            out_dir=out_dir,
            quarantine_dir=quarantine_dir,
        )
        results = _run(files, settings, workers)
        claimed: set[Path] = set()
        for item, written in zip(files, results, strict=True):
            report.files.append(_place(item, written, settings, claimed))
            report.bytes_in += written.bytes_in
            if report.files[-1].status != "rejected":
                report.bytes_out += written.bytes_out
    report.seconds = time.perf_counter() - started
    return report


def walk_inputs(inputs: Sequence[Path], *, exclude: Sequence[Path] = ()) -> Iterator[tuple[Path, str]]:
    """Yield (file, path relative to its input root) for files and folders, sorted, recursively."""
    excluded = {path.resolve() for path in exclude}
    for root in inputs:
        if root.is_file():
            yield root, root.name
            continue
        found: list[tuple[str, Path]] = []
        for directory, subdirs, names in os.walk(root):
            current = Path(directory)
            # Never read our own output back in when --out lies inside an input folder.
            subdirs[:] = [d for d in subdirs if (current / d).resolve() not in excluded]
            found.extend((path.relative_to(root).as_posix(), path) for path in map(current.joinpath, names))
        for relative, path in sorted(found):
            if path.is_file():
                yield path, relative


def _run(files: list[_Input], settings: RunSettings, workers: int) -> list[_Written]:
    if workers <= 1 or len(files) <= 1:
        _init_worker(settings)
        return _rewrite_chunk(files)
    # A few chunks per worker: per-task overhead stays small and the load still balances.
    size = max(1, min(64, len(files) // (workers * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    results: list[_Written] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(settings,)) as pool:
            for chunk_results in pool.map(_rewrite_chunk, chunks):
                results.extend(chunk_results)
    except BrokenProcessPool:
        # A worker was killed (out of memory, signal): its files are reported, not lost, and
        # complete .part files whose results never came back are removed, never renamed.
        pending = {written.part for written in results if written.part is not None}
        for root in (settings.out_dir, settings.quarantine_dir):
            if root is not None and root.is_dir():
                for part in root.rglob("*.part"):
                    if part not in pending:
                        part.unlink(missing_ok=True)
        results.extend(
            _Written(item.index, "rejected", None, None, "worker process died", 0, 0) for item in files[len(results) :]
        )
    return results


# Per-process state, set once by the pool initializer (each worker opens the vault itself).
_settings: RunSettings | None = None
_deidentify: Deidentifier | None = None


def _init_worker(settings: RunSettings) -> None:
    global _settings, _deidentify
    _settings = settings
    context = DeidContext(uid_key=settings.uid_key, vault=SqliteVault(settings.vault_path), options=settings.options)
    _deidentify = context_deidentifier(context)


def _rewrite_chunk(files: list[_Input]) -> list[_Written]:
    return [_rewrite_one(item) for item in files]


def _rewrite_one(item: _Input) -> _Written:
    assert _settings is not None
    assert _deidentify is not None
    try:
        size = item.path.stat().st_size
    except OSError:
        return _Written(item.index, "rejected", None, None, "cannot read file", 0, 0)
    try:
        prepared = prepare_file(item.path, deidentify=_deidentify)
    except RejectedFile as exc:
        return _Written(item.index, "rejected", None, None, exc.reason, size, 0)
    outcome = prepared.outcome
    relative = Path(outcome.study_uid, outcome.series_uid, f"{outcome.sop_instance_uid}.dcm")
    if not all(_is_uid(part) for part in (outcome.study_uid, outcome.series_uid, outcome.sop_instance_uid)):
        # Names come from UIDs; anything else could be a path trick or carry identifiers.
        return _Written(item.index, "rejected", None, None, "UID unusable as a file name", size, 0)
    status: Status = "deidentified"
    root: Path | None = _settings.out_dir
    reason = None
    if outcome.quarantine_reason is not None:
        status, reason, root = "quarantined", outcome.quarantine_reason, _settings.quarantine_dir
    if root is None:
        return _Written(item.index, status, None, None, reason, size, 0)
    target = root / relative
    try:
        part = write_part(prepared, target)
    except RejectedFile as exc:
        return _Written(item.index, "rejected", None, None, exc.reason, size, 0)
    except OSError as exc:
        return _Written(item.index, "rejected", None, None, f"cannot write output ({exc.strerror})", size, 0)
    return _Written(item.index, status, part, target, reason, size, prepared.size)


def _place(item: _Input, written: _Written, settings: RunSettings, claimed: set[Path]) -> FileRow:
    """Give a written ``.part`` its final name unless an earlier input already took it."""
    if written.part is None or written.target is None:
        return FileRow(item.source, written.status, None, written.reason)
    if written.target in claimed:
        written.part.unlink(missing_ok=True)
        return FileRow(item.source, "rejected", None, DUPLICATE_REASON)
    claimed.add(written.target)
    os.replace(written.part, written.target)
    if written.status == "quarantined":
        assert settings.quarantine_dir is not None
        relative = written.target.relative_to(settings.quarantine_dir).as_posix()
        return FileRow(item.source, "quarantined", None, written.reason, quarantine=relative)
    return FileRow(item.source, "deidentified", written.target.relative_to(settings.out_dir).as_posix(), None)


def _is_uid(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isdigit() or c == "." for c in value) and value[0] != "."
