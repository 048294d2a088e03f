"""Benchmark of the DICOM de-identification engine against dicognito, pydicom/deid and ``cp -r``.

Issue 5, item 10: in one run, on (a) a generated 400-slice CT (512 x 512, about 210 MB),
(b) the sample files shipped with pydicom and deid-data (those every tool can read; the
skips are listed), and (c) the seeded PHI-planted corpus of :mod:`huizhen.deid.dicom.synthetic`,
measure wall time, files/s, MB/s and peak memory of each tool run as a child process, the
median of ``--repeat`` runs; on (c) also count the planted identifiers each tool lets through
(in the output bytes, in any encoding, and in the output paths). Every tool runs with its
default settings. The result is a Markdown table written into docs/engines/deid-dicom.md
between the bench markers. Offline; a few minutes on 2 cores; ``--quick`` for a smoke run.

    uv run --group bench python benchmarks/deid_dicom.py [--quick] [--no-write] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from machine import describe_machine, package_version  # benchmarks/machine.py, beside this script

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "engines" / "deid-dicom.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TOOLS = ("huizhen", "huizhen-cli", "dicognito", "deid", "cp")
# Targets of the issue: huizhen >= 10x dicognito, >= 25x deid, >= 50 % of cp (throughput).
TARGETS = {"dicognito": 10.0, "deid": 25.0, "cp": 0.5}
WORKERS = 2


# --- child side: each tool runs in its own process, so its time and memory are its own ---


def _run_huizhen(source: Path, out: Path) -> None:
    from huizhen.deid.dicom.pipeline import deidentify_paths

    key = bytes(range(32))  # a fixed benchmark key; never a real node's
    report = deidentify_paths([source], out_dir=out, uid_key=key, workers=WORKERS)
    print(json.dumps(report.summary))


def _run_deid(source: Path, out: Path) -> None:
    import logging

    from deid.config import DeidRecipe
    from deid.logger import bot

    from deid.dicom import replace_identifiers

    bot.level = 0  # its per-file warnings would dominate the run
    logging.disable(logging.WARNING)
    files = sorted(str(path) for path in source.rglob("*") if path.is_file())
    out.mkdir(parents=True, exist_ok=True)
    # The default recipe (deid/data/deid.dicom), as `DeidRecipe()` loads it.
    replace_identifiers(files, deid=DeidRecipe(), save=True, output_folder=str(out), overwrite=True)


def _probe(tool: str, files: list[Path], scratch: Path) -> None:
    """Print, one per line, the files ``tool`` cannot process (in-process, per file)."""
    if tool == "huizhen":
        from huizhen.deid.dicom.pipeline import deidentify_paths

        for index, path in enumerate(files):
            report = deidentify_paths([path], out_dir=scratch / str(index), uid_key=bytes(range(32)), workers=1)
            if report.files[0].status == "rejected":
                print(f"{path}\t{report.files[0].reason}")
    elif tool == "dicognito":
        import pydicom
        from dicognito.anonymizer import Anonymizer

        anonymizer = Anonymizer()
        for index, path in enumerate(files):
            try:
                ds = pydicom.dcmread(path, force=False)
                anonymizer.anonymize(ds)
                _ = ds.SOPInstanceUID  # its CLI names outputs by it and stops on a file without one
                ds.save_as(scratch / f"{index}.dcm")
            except Exception as exc:  # every failure is a skip, whatever its kind
                print(f"{path}\t{type(exc).__name__}: {exc}".replace("\n", " "))
    elif tool == "deid":
        import logging

        from deid.config import DeidRecipe
        from deid.logger import bot

        from deid.dicom import replace_identifiers

        bot.level = 0
        logging.disable(logging.WARNING)
        recipe = DeidRecipe()
        for index, path in enumerate(files):
            try:
                target = scratch / str(index)
                target.mkdir()
                replace_identifiers([str(path)], deid=recipe, save=True, output_folder=str(target), overwrite=True)
                if not any(target.iterdir()):
                    raise RuntimeError("no output written")
            except BaseException as exc:  # deid calls sys.exit on some files
                print(f"{path}\t{type(exc).__name__}: {exc}".replace("\n", " "))


def child_main(argv: Sequence[str]) -> int:
    mode, tool, *rest = argv
    if mode == "--run-tool":
        source, out = Path(rest[0]), Path(rest[1])
        {"huizhen": _run_huizhen, "deid": _run_deid}[tool](source, out)
    else:
        listing, scratch = Path(rest[0]), Path(rest[1])
        _probe(tool, [Path(line) for line in listing.read_text().splitlines() if line], scratch)
    return 0


# --- parent side ---


@dataclass
class Measurement:
    tool: str
    dataset: str
    files: int
    megabytes: float
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    failed: str | None = None
    leaks: int | None = None
    leak_kinds: Counter[str] = field(default_factory=Counter)
    exported: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def files_per_second(self) -> float:
        return self.files / self.median

    @property
    def mb_per_second(self) -> float:
        return self.megabytes / self.median


def _command(tool: str, source: Path, out: Path, key_file: Path, report: Path) -> list[str]:
    python = sys.executable
    if tool == "huizhen":
        return [python, __file__, "--run-tool", "huizhen", str(source), str(out)]
    if tool == "huizhen-cli":
        return [python, "-m", "huizhen.cli", "deid", "dicom", str(source), "--out", str(out),
                "--report", str(report), "--key-file", str(key_file), "--workers", str(WORKERS)]  # fmt: skip
    if tool == "dicognito":
        # Its console script is broken in 0.19 (main() needs an argument); the module works.
        # --quiet only drops the summary table, whose sorting crashes (TypeError) on a mix of
        # single- and multi-valued names in the sample files; anonymization is unchanged.
        return [python, "-m", "dicognito", str(source), "--output-directory", str(out), "--quiet"]
    if tool == "deid":
        return [python, __file__, "--run-tool", "deid", str(source), str(out)]
    return ["cp", "-r", str(source), str(out)]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc/<pid>/task/<tid>/children (Linux)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue
    return found


def _high_water_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_environment(pycache: Path) -> dict[str, str]:
    """The environment of every timed tool: compiled bytecode kept, as in any normal install.

    pip compiles bytecode at install time and Python writes it on first import, so a user's
    second run never compiles source. A sandbox with PYTHONDONTWRITEBYTECODE=1 would make every
    run recompile pydicom (about 0.35 s, more than the whole CT for huizhen), for every tool;
    the bytecode goes to a prefix in the scratch folder, never into the installed packages.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB (largest process of the child's tree), exit status, stderr tail.

    Peak memory is each process's VmHWM, sampled every 50 ms while it runs: a rusage
    ru_maxrss would include the benchmark's own memory, which a forked child inherits
    as its starting high-water mark.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=REPO, env=env)
        peaks = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peaks.extend(_high_water_mb(pid) for pid in _tree(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # The wall time is taken by this thread's wait, not by the sampler's polling.
        process.wait()
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        peak = max(peaks)
        errors.seek(0)
        tail = errors.read()[-600:].decode("utf-8", "replace")
    return elapsed, peak, process.returncode, tail


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def _size_mb(files: list[Path]) -> float:
    return sum(path.stat().st_size for path in files) / 1e6


def _copy_samples(target: Path, *, quick: bool) -> list[Path]:
    import deid_data
    import pydicom

    pydicom_data = Path(pydicom.__file__).parent / "data"
    sources = sorted((pydicom_data / "test_files").glob("*.dcm")) + sorted(
        (pydicom_data / "charset_files").glob("*.dcm")
    )
    deid_root = Path(deid_data.__file__).parent / "data"
    sources += sorted(path for path in deid_root.rglob("*") if path.is_file() and path.suffix not in (".py", ".md"))
    if quick:
        sources = sources[::6]
    target.mkdir(parents=True)
    copied = []
    for index, source in enumerate(sources):
        # Flat, unique names: deid writes every output into one folder under the input's basename.
        destination = target / f"{index:03d}_{source.name}"
        shutil.copyfile(source, destination)
        copied.append(destination)
    return copied


def _probe_skips(files: list[Path], work: Path) -> dict[Path, str]:
    """Files some tool cannot process, with the first tool and reason, so every tool sees the same set."""
    listing = work / "probe-list.txt"
    listing.write_text("\n".join(str(path) for path in files))
    skips: dict[Path, str] = {}
    for tool in ("huizhen", "dicognito", "deid"):
        scratch = work / f"probe-{tool}"
        scratch.mkdir()
        result = subprocess.run(
            [sys.executable, __file__, "--probe", tool, str(listing), str(scratch)],
            capture_output=True, text=True, check=False, cwd=REPO,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"probe of {tool} failed: {result.stderr[-2000:]}")
        for line in result.stdout.splitlines():
            if "\t" in line:
                path, reason = line.split("\t", 1)
                skips.setdefault(Path(path), f"{tool}: {reason[:120]}")
        shutil.rmtree(scratch)
    return skips


def _available(tool: str) -> str | None:
    """Why ``tool`` cannot run here, or None."""
    modules = {"huizhen": "huizhen.deid.dicom.pipeline", "huizhen-cli": "huizhen.deid.cli",
               "dicognito": "dicognito", "deid": "deid.dicom"}  # fmt: skip
    if tool == "cp":
        return None if shutil.which("cp") else "cp not found"
    try:
        importlib.import_module(modules[tool])
    except ImportError as exc:
        return f"not installed ({exc.name})"
    return None


def measure(
    tool: str,
    dataset: str,
    source: Path,
    work: Path,
    *,
    repeat: int,
    key_file: Path,
    env: dict[str, str] | None = None,
    check_leaks: Callable[[Path], tuple[int, Counter[str]]] | None = None,
) -> Measurement:
    files = _files(source)
    result = Measurement(tool, dataset, len(files), _size_mb(files))
    reason = _available(tool)
    if reason is not None:
        result.failed = reason
        return result
    # Attempt -1 is an untimed warm-up: it writes the tool's bytecode and settles the page cache.
    for attempt in range(-1, repeat):
        out = work / f"out-{tool}-{dataset}-{attempt}"
        report = work / f"report-{tool}-{dataset}-{attempt}.json"
        elapsed, peak, status, tail = _timed(_command(tool, source, out, key_file, report), env)
        if status != 0 and not (tool == "huizhen-cli" and status == 1):
            result.failed = f"exit {status}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
            shutil.rmtree(out, ignore_errors=True)
            return result
        if attempt >= 0:
            result.seconds.append(elapsed)
            result.peak_mb.append(peak)
        if attempt == 0 and check_leaks is not None:
            result.leaks, result.leak_kinds = check_leaks(out)
            result.exported = sum(1 for path in out.rglob("*") if path.is_file() and path.suffix != ".json")
        shutil.rmtree(out, ignore_errors=True)
        report.unlink(missing_ok=True)
    return result


def _machine() -> str:
    cp_version = subprocess.run(["cp", "--version"], capture_output=True, text=True, check=False).stdout
    cp_line = cp_version.splitlines()[0] if cp_version else "cp"
    return describe_machine(
        f"huizhen {package_version('huizhen')} (workers={WORKERS}), pydicom {package_version('pydicom')}, "
        f"dicognito {package_version('dicognito')}, deid {package_version('deid')}, {cp_line}"
    )


def render(results: list[Measurement], *, machine: str, repeat: int, skips: dict[Path, str], notes: list[str]) -> str:
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    lines = [
        f"Measured {today} by `benchmarks/deid_dicom.py` (median of {repeat} run{'s' if repeat > 1 else ''}, "
        "each tool a child process with default settings after one untimed warm-up run, wall time including "
        "start-up, Python bytecode compiled as after any install; "
        "peak memory = largest process of the tool's process tree). dicognito runs as "
        "`python -m dicognito --output-directory OUT --quiet` (its summary table crashes on the samples), "
        "deid as `replace_identifiers(files, deid=DeidRecipe())` (its default recipe), "
        "huizhen as `deidentify_paths(..., workers=2)` and as `huizhen deid dicom ... --workers 2`.",
        "",
        f"Machine: {machine}.",
        "",
        "| data set | tool | files | MB | seconds | files/s | MB/s | peak MB | huizhen speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_key = {(m.dataset, m.tool): m for m in results}
    for m in results:
        if m.failed:
            lines.append(f"| {m.dataset} | {m.tool} | {m.files} | {m.megabytes:.1f} | — | — | — | — | {m.failed} |")
            continue
        ours = by_key.get((m.dataset, "huizhen"))
        ratio = ""
        if ours is not None and not ours.failed and m.tool not in ("huizhen", "huizhen-cli"):
            factor = m.median / ours.median
            ratio = f"{factor:.1f}×" if m.tool != "cp" else f"{factor * 100:.0f} % of cp"
        lines.append(
            f"| {m.dataset} | {m.tool} | {m.files} | {m.megabytes:.1f} | {m.median:.2f} | {m.files_per_second:.1f} "
            f"| {m.mb_per_second:.1f} | {_peak(m)} | {ratio} |"
        )
    lines += ["", "Targets (issue 5): huizhen ≥ 10× dicognito, ≥ 25× deid, ≥ 50 % of `cp` throughput."]
    for dataset in dict.fromkeys(m.dataset for m in results):
        ours = by_key.get((dataset, "huizhen"))
        if ours is None or ours.failed:
            continue
        verdicts = []
        for tool, target in TARGETS.items():
            peer = by_key.get((dataset, tool))
            if peer is None or peer.failed:
                continue
            factor = peer.median / ours.median
            met = factor >= target
            shown = f"{factor * 100:.0f} % of cp" if tool == "cp" else f"{factor:.1f}× {tool}"
            verdicts.append(f"{shown} ({'met' if met else 'NOT met'})")
        lines.append(f"- {dataset}: " + ", ".join(verdicts))
    leak_rows = [m for m in results if m.leaks is not None]
    if leak_rows:
        lines += [
            "",
            "Leaks on the PHI-planted corpus: planted identifiers (distinct values that the default "
            "second-opinion profile must remove) found in any output file's bytes, in UTF-8, GB18030/GBK/GB 2312 "
            "or as planted, or in an output path. Objects held for burned-in text are not exported by huizhen.",
            "",
            "| tool | objects exported | identifiers leaked | of which |",
            "|---|---:|---:|---|",
        ]
        for m in leak_rows:
            kinds = ", ".join(f"{kind} {count}" for kind, count in m.leak_kinds.most_common())
            lines.append(f"| {m.tool} | {m.exported} | {m.leaks} | {kinds} |")
    if skips:
        lines += ["", f"Sample files skipped because some tool cannot process them ({len(skips)}):", ""]
        lines += [f"- `{path.name.split('_', 1)[1]}`: {reason}" for path, reason in sorted(skips.items())]
    lines += ["", *notes] if notes else []
    return "\n".join(lines)


def _peak(m: Measurement) -> str:
    peak = max(m.peak_mb)
    # A run shorter than the 50 ms sampling interval has no sample.
    return f"{peak:.0f}" if peak > 0 else "n/a"


def write_doc(table: str) -> None:
    text = DOC.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{table}\n{END}{after}")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in ("--run-tool", "--probe"):
        return child_main(args_list)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run: 20 slices, 1 repeat, fewer samples")
    parser.add_argument("--no-write", action="store_true", help="print the table only; leave the docs alone")
    parser.add_argument("--repeat", type=int, help="runs per tool and data set (default 3, quick 1)")
    parser.add_argument("--slices", type=int, help="CT slices (default 400, quick 20)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    args = parser.parse_args(args_list)
    repeat = args.repeat or (1 if args.quick else 3)
    slices = args.slices or (20 if args.quick else 400)
    tools = [tool for tool in args.tools.split(",") if tool]

    from huizhen.deid.dicom.synthetic import generate_ct_series, generate_phi_corpus

    results: list[Measurement] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="huizhen-bench-") as scratch:
        work = Path(scratch)
        key_file = work / "bench.key"
        key_file.write_bytes(bytes(range(32)))
        key_file.chmod(0o600)
        env = child_environment(work / "pycache")

        started = time.perf_counter()
        generate_ct_series(work / "ct", slices=slices)
        print(f"generated {slices}-slice CT in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        samples = _copy_samples(work / "samples", quick=args.quick)
        skips = _probe_skips(samples, work)
        for path in skips:
            path.unlink()
        planted = generate_phi_corpus(work / "corpus", seed=5, n_patients=4)

        def corpus_leaks(out: Path) -> tuple[int, Counter[str]]:
            leaks = planted.leaks(out)
            return len(leaks), Counter(leak.kind for leak in leaks)

        datasets = [
            (f"CT {slices} slices", work / "ct", None),
            ("pydicom + deid-data samples", work / "samples", None),
            ("PHI-planted corpus", work / "corpus", corpus_leaks),
        ]
        for name, source, leaks in datasets:
            # Warm the page cache, so the first tool measured does not pay for the disk.
            subprocess.run(["cp", "-r", str(source), str(work / "warm")], check=True)
            shutil.rmtree(work / "warm")
            for tool in tools:
                try:
                    m = measure(tool, name, source, work, repeat=repeat, key_file=key_file, env=env, check_leaks=leaks)
                except Exception:
                    traceback.print_exc()
                    m = Measurement(tool, name, 0, 0.0, failed="benchmark error (see log)")
                results.append(m)
                shown = f"{m.median:.2f} s" if not m.failed else m.failed
                print(f"{name:32} {tool:12} {shown}", file=sys.stderr)
        if planted.leaks(work / "corpus") == []:
            notes.append("WARNING: the leak search found nothing in the untouched corpus.")

    table = render(results, machine=_machine(), repeat=repeat, skips=skips, notes=notes)
    print(table)
    if not args.no_write and not args.quick:
        write_doc(table)
        print(f"\nwritten to {DOC.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
