"""Loopback receivers and file-tree factories for the transfer tests (no emulator needed)."""

from __future__ import annotations

import os
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from huizhen.transfer import ReceiverCore, ReceiverServer, key_from_token, serve

TOKEN = "s3cret-test-token"
KEY = key_from_token(TOKEN)


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def make_tree(root: Path, *, files: int = 20, seed: int = 1) -> Path:
    """A study-like tree: nested series, small and multi-chunk files, and empty files."""
    rng = random.Random(seed)
    study = root / "study"
    for index in range(files):
        folder = study / f"series{index % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        size = 0 if index % 5 == 0 else rng.randrange(1, 20_000)
        (folder / f"img{index:03d}.dcm").write_bytes(rng.randbytes(size))
    (study / "README").write_bytes(b"")
    return study


def files_under(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` outside the receiver's state, by relative path."""
    found: dict[str, bytes] = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if name != ".huizhen-transfer"]
        for name in filenames:
            path = Path(directory) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


class CountingCore(ReceiverCore):
    """A receiver core that counts chunk uploads and can slow or corrupt them (test hooks)."""

    def __init__(self, *args: Any, delay: float = 0.0, corrupt_first: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delay = delay
        self.corrupt_left = corrupt_first
        self.puts = 0
        self.corrupted: list[str] = []
        self._count_lock = threading.Lock()

    def begin_chunk(self, session_id: str, sha256: str) -> None:
        with self._count_lock:
            self.puts += 1
        super().begin_chunk(session_id, sha256)

    def put_chunk(self, session_id: str, sha256: str, body: bytes, encoding: str | None = None) -> bool:
        with self._count_lock:
            corrupt = self.corrupt_left > 0 and body != b""
            if corrupt:
                self.corrupt_left -= 1
                self.corrupted.append(sha256)
        if corrupt:
            body = bytes([body[0] ^ 0xFF]) + body[1:]  # one byte flipped "in flight"
        if self.delay:
            threading.Event().wait(self.delay)
        return super().put_chunk(session_id, sha256, body, encoding)


@contextmanager
def receiver(directory: Path, core: ReceiverCore | None = None, token: str = TOKEN) -> Iterator[ReceiverServer]:
    """A receiver serving on a free loopback port in a thread for the duration of the block."""
    server = serve(("127.0.0.1", 0), core or ReceiverCore(directory, key=KEY), token)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
