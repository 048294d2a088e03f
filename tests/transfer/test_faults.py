"""Fault tests with real processes: kill -9 the sender or the receiver mid-transfer, then carry on.

The sender is ``huizhen transfer send`` as a subprocess; the receiver is slowed per chunk
(a test hook, :class:`CountingCore`) so that the kill lands mid-transfer. Nothing may be
lost, nothing duplicated, and a restarted sender re-sends at most one chunk per stream.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.transfer.loopback import KEY, TOKEN, CountingCore, files_under, free_port, random_bytes, receiver

pytestmark = pytest.mark.slow
CHUNK = 65536
CHUNKS = 24
STREAMS = 2
REPO = Path(__file__).resolve().parents[2]


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    return env


def sender(source: Path, url: str, token_file: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "huizhen", "transfer", "send", str(source), url, "--token-file", str(token_file)]
    argv += ["--streams", str(STREAMS), "--chunk-size", str(CHUNK), "--patience", "30", "--quiet"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment())


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def stored_chunks(directory: Path) -> int:
    return sum(1 for path in (directory / ".huizhen-transfer" / "chunks").glob("*/*"))


def resent_in(summary_line: str) -> int:
    match = re.search(r"(\d+) chunks re-sent", summary_line)
    assert match, summary_line
    return int(match.group(1))


@pytest.fixture
def payload(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "src"
    source.mkdir()
    (source / "slide.svs").write_bytes(random_bytes(CHUNKS * CHUNK - 1000, seed=21))
    (source / "note.txt").write_bytes(b"")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    return source, token_file


def test_a_sender_killed_mid_transfer_resumes_and_resends_at_most_one_chunk_per_stream(
    tmp_path: Path, payload: tuple[Path, Path]
) -> None:
    source, token_file = payload
    destination = tmp_path / "dst"
    core = CountingCore(destination, key=KEY, delay=0.1)

    with receiver(destination, core) as server:
        first = sender(source, server.url, token_file)
        wait_until(lambda: stored_chunks(destination) >= 6)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert stored_chunks(destination) < CHUNKS
        assert files_under(destination) == {}

        second = sender(source, server.url, token_file)
        out, err = second.communicate(timeout=60)

    assert second.returncode == 0, err
    assert resent_in(out) <= STREAMS
    assert core.puts <= CHUNKS + STREAMS
    assert files_under(destination / "src") == files_under(source)


def test_a_receiver_killed_mid_transfer_is_waited_for_and_the_transfer_completes(
    tmp_path: Path, payload: tuple[Path, Path]
) -> None:
    source, token_file = payload
    destination = tmp_path / "dst"
    port = free_port()
    argv = [sys.executable, "-m", "tests.transfer.slow_receiver", "--listen", f"127.0.0.1:{port}"]
    argv += ["--dir", str(destination), "--delay", "0.1"]

    def start_receiver() -> subprocess.Popen[str]:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=environment(), cwd=REPO)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        return process

    first_receiver = start_receiver()
    transfer = sender(source, f"http://127.0.0.1:{port}", token_file)
    try:
        wait_until(lambda: stored_chunks(destination) >= 6)
        first_receiver.send_signal(signal.SIGKILL)
        first_receiver.wait()
        time.sleep(1.0)  # the sender meets a closed port and backs off
        assert transfer.poll() is None
        second_receiver = start_receiver()
        try:
            out, err = transfer.communicate(timeout=60)
        finally:
            second_receiver.send_signal(signal.SIGTERM)
            second_receiver.wait(timeout=10)
    finally:
        if transfer.poll() is None:
            transfer.kill()
        if first_receiver.poll() is None:
            first_receiver.kill()

    assert transfer.returncode == 0, err
    assert resent_in(out) <= STREAMS
    assert files_under(destination / "src") == files_under(source)
