"""``huizhen transfer`` as subprocesses: a real receiver, the summary line, the progress bar, exit codes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from huizhen.transfer.cli import format_progress, format_summary, parse_size
from huizhen.transfer.sender import Progress, Summary
from tests.transfer.loopback import TOKEN, files_under, make_tree

SUMMARY = re.compile(
    r"^sent \d+ bytes in \d+\.\d\d s, \d+\.\d\d Mbit/s, \d+ chunks re-sent "
    r"\(\d+ chunks sent, \d+ bytes on the wire, \d+ streams; \d+ files, \d+ bytes delivered\)$"
)


def huizhen(*args: str) -> list[str]:
    return [sys.executable, "-m", "huizhen", "transfer", *args]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(huizhen(*args), capture_output=True, text=True, env=env, check=False, timeout=60)


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return path


@contextmanager
def receiving(directory: Path, token_file: Path, *extra: str) -> Iterator[str]:
    """``huizhen transfer receive`` on a free port; yields its URL, read from its start-up line."""
    process = subprocess.Popen(
        huizhen("receive", "--listen", "127.0.0.1:0", "--dir", str(directory), "--token-file", str(token_file), *extra),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"on (http://\S+)", line)
        assert match, line
        yield match.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0


def test_send_delivers_the_tree_and_ends_with_one_summary_line(tmp_path: Path, token_file: Path) -> None:
    study = make_tree(tmp_path / "src", files=8)

    with receiving(tmp_path / "dst", token_file) as url:
        result = run("send", str(study), url, "--token-file", str(token_file), "--chunk-size", "4K", "--streams", "2")

    assert result.returncode == 0, result.stderr
    assert SUMMARY.match(result.stdout.strip()), result.stdout
    assert result.stdout.count("\n") == 1
    assert "100.0 %" in result.stderr
    assert files_under(tmp_path / "dst") == files_under(tmp_path / "src")


def test_a_refused_transfer_exits_1_with_the_reason(tmp_path: Path, token_file: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 10_000)

    with receiving(tmp_path / "dst", token_file, "--max-bytes", "8K") as url:
        result = run("send", str(tmp_path / "big"), url, "--token-file", str(token_file), "--quiet")

    assert result.returncode == 1
    assert "transfer failed" in result.stderr
    assert "413" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("send", "http://127.0.0.1:9"),  # no PATH
        ("send", "{missing}", "http://127.0.0.1:9"),
        ("send", "{file}", "not-a-url"),
        ("send", "{file}", "http://127.0.0.1:9", "--streams", "0"),
        ("send", "{file}", "http://127.0.0.1:9", "--chunk-size", "lots"),
        ("receive", "--listen", "nowhere", "--dir", "{dir}"),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, token_file: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "file").write_bytes(b"x")
    values = {"missing": str(tmp_path / "absent"), "file": str(tmp_path / "file"), "dir": str(tmp_path / "dst")}
    argv = [arg.format(**values) for arg in args]

    result = run(*argv, "--token-file", str(token_file)) if argv[0] != "frobnicate" else run(*argv)

    assert result.returncode == 2, result.stderr


def test_an_unreadable_token_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")

    result = run("send", str(tmp_path / "file"), "http://127.0.0.1:9", "--token-file", str(tmp_path / "absent"))

    assert result.returncode == 2
    assert "token file" in result.stderr


def test_the_summary_line_names_bytes_seconds_rate_and_chunks_resent() -> None:
    summary = Summary(
        bytes=524_288_000,
        seconds=95.5,
        mbps=43.92,
        chunks_sent=125,
        chunks_resent=3,
        streams_used=8,
        wire_bytes=524_288_000,
        total_bytes=524_288_000,
        files=1,
    )

    assert format_summary(summary) == (
        "sent 524288000 bytes in 95.50 s, 43.92 Mbit/s, 3 chunks re-sent "
        "(125 chunks sent, 524288000 bytes on the wire, 8 streams; 1 files, 524288000 bytes delivered)"
    )


def test_the_progress_bar_shows_percent_rate_and_time_left() -> None:
    line = format_progress(
        Progress(bytes_done=256 * 2**20, bytes_total=512 * 2**20, seconds=50, mbps=42.5, eta_seconds=65, streams=4)
    )

    assert line.startswith("[" + "#" * 15 + "." * 15 + "]")
    assert " 50.0 % " in line
    assert "256.0 MiB/512.0 MiB" in line
    assert "42.50 Mbit/s" in line
    assert "ETA 01:05" in line


@pytest.mark.parametrize(("text", "size"), [("4M", 4 * 2**20), ("512K", 512 * 1024), ("1G", 2**30), ("1000", 1000)])
def test_sizes_take_binary_suffixes(text: str, size: int) -> None:
    assert parse_size(text) == size
