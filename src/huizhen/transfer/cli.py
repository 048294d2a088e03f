"""The ``huizhen transfer`` command: receive into a directory, or send files and directories to a receiver.

``huizhen transfer receive --listen HOST:PORT --dir DIR --token-file F [--max-bytes N]
[--max-file-bytes N]`` serves until interrupted; files appear under DIR only once
verified. ``huizhen transfer send PATH... URL --token-file F [--streams N] [--chunk-size S]
[--congestion bbr|cubic|reno] [--pacing-mbit R]`` shows a progress bar on standard error
(percent, rate, time left) and ends with one summary line on standard output: bytes,
seconds, Mbit/s, chunks re-sent. The token file holds the shared bearer token; the
manifest is signed with its SHA-256. Sizes take K, M, G suffixes (binary). Exit status:
0 done, 1 the transfer failed, 2 usage or configuration error. ``huizhen transfer
emulate ...`` runs a command across the link emulator (see ``linkemu``).
"""

from __future__ import annotations

import argparse
import importlib
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO
from urllib.parse import urlsplit

from huizhen.transfer.errors import TransferError
from huizhen.transfer.manifest import DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, key_from_token
from huizhen.transfer.receiver import ReceiverCore, serve
from huizhen.transfer.sender import Progress, Summary, send

EXIT_FAILED = 1
EXIT_USAGE = 2
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
BAR_WIDTH = 30


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args and args[0] == "receive":
        return _receive(args[1:])
    if args and args[0] == "send":
        return _send(args[1:])
    if args and args[0] == "emulate":
        emulate: Callable[[Sequence[str]], int] = importlib.import_module("huizhen.transfer.linkemu").main
        return emulate(args)  # linkemu.main takes its own "emulate" subcommand
    print(
        "usage: huizhen transfer receive --listen HOST:PORT --dir DIR --token-file F\n"
        "       huizhen transfer send PATH... URL --token-file F [--streams N] [--chunk-size S]",
        file=sys.stderr,
    )
    return 0 if args[:1] in (["-h"], ["--help"]) else EXIT_USAGE


def parse_size(text: str) -> int:
    """``4M`` → 4194304; plain digits are bytes. ValueError on anything else."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 4M, 512K, 2G)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_progress(progress: Progress) -> str:
    """One progress-bar line: bar, percent, bytes, rate, time left."""
    filled = int(progress.fraction * BAR_WIDTH)
    eta = "--:--" if progress.eta_seconds is None else _clock(progress.eta_seconds)
    return (
        f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress.fraction * 100:5.1f} % "
        f"{_human(progress.bytes_done)}/{_human(progress.bytes_total)} "
        f"{progress.mbps:7.2f} Mbit/s  ETA {eta}  {progress.streams} streams"
    )


def format_summary(summary: Summary) -> str:
    """The one summary line ``send`` ends with."""
    return (
        f"sent {summary.bytes} bytes in {summary.seconds:.2f} s, {summary.mbps:.2f} Mbit/s, "
        f"{summary.chunks_resent} chunks re-sent ({summary.chunks_sent} chunks sent, "
        f"{summary.wire_bytes} bytes on the wire, {summary.streams_used} streams; "
        f"{summary.files} files, {summary.total_bytes} bytes delivered)"
    )


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return 0 if exc.code == 0 else EXIT_USAGE


def _token(path: Path, prog: str) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{prog}: cannot read token file {path}: {exc}", file=sys.stderr)
        return None
    if not token:
        print(f"{prog}: token file {path} is empty", file=sys.stderr)
        return None
    return token


def _receive(argv: Sequence[str]) -> int:
    prog = "huizhen transfer receive"
    parser = argparse.ArgumentParser(prog=prog, description="Receive verified transfers into a directory.")
    parser.add_argument("--listen", required=True, metavar="HOST:PORT", help="address to listen on (port 0: any)")
    parser.add_argument("--dir", required=True, type=Path, metavar="DIR", help="directory the files go into")
    parser.add_argument("--token-file", required=True, type=Path, metavar="F", help="file holding the shared token")
    parser.add_argument("--max-bytes", type=parse_size, metavar="N", help="refuse transfers larger than N")
    parser.add_argument("--max-file-bytes", type=parse_size, metavar="N", help="refuse files larger than N")
    parsed = _parse(parser, argv)
    if isinstance(parsed, int):
        return parsed
    host, _, port = parsed.listen.rpartition(":")
    if not host or not port.isdigit():
        print(f"{prog}: --listen must be HOST:PORT, not {parsed.listen!r}", file=sys.stderr)
        return EXIT_USAGE
    token = _token(parsed.token_file, prog)
    if token is None:
        return EXIT_USAGE
    try:
        parsed.dir.mkdir(parents=True, exist_ok=True)
        core = ReceiverCore(
            parsed.dir,
            max_total_bytes=parsed.max_bytes,
            max_file_bytes=parsed.max_file_bytes,
            key=key_from_token(token),
        )
        server = serve((host.strip("[]"), int(port)), core, token)
    except OSError as exc:
        print(f"{prog}: cannot start: {exc}", file=sys.stderr)
        return EXIT_USAGE

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"{prog}: receiving into {core.directory} on {server.url}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _send(argv: Sequence[str]) -> int:
    prog = "huizhen transfer send"
    parser = argparse.ArgumentParser(prog=prog, description="Send files and directories to a receiver.")
    parser.add_argument("items", nargs="+", metavar="PATH... URL", help="files or directories, then the receiver URL")
    parser.add_argument("--token-file", required=True, type=Path, metavar="F", help="file holding the shared token")
    parser.add_argument("--streams", type=int, metavar="N", help="parallel streams (default: adapt to the path)")
    parser.add_argument(
        "--chunk-size", type=parse_size, default=DEFAULT_CHUNK_SIZE, metavar="S", help="chunk size (default 4M)"
    )
    parser.add_argument("--congestion", choices=("bbr", "cubic", "reno"), default="bbr", help="TCP congestion control")
    parser.add_argument("--pacing-mbit", type=float, metavar="R", help="pace all streams together to R Mbit/s")
    parser.add_argument("--no-compression", action="store_true", help="never compress chunks")
    parser.add_argument("--patience", type=float, default=300.0, metavar="SECONDS", help="give up after this long")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parsed = _parse(parser, argv)
    if isinstance(parsed, int):
        return parsed
    if len(parsed.items) < 2:
        print(f"{prog}: give at least one PATH and the receiver URL", file=sys.stderr)
        return EXIT_USAGE
    *paths, url = parsed.items
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        print(f"{prog}: the last argument must be the receiver URL (http://HOST:PORT), not {url!r}", file=sys.stderr)
        return EXIT_USAGE
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        print(f"{prog}: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if parsed.streams is not None and parsed.streams < 1:
        print(f"{prog}: --streams must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if not MIN_CHUNK_SIZE <= parsed.chunk_size <= MAX_CHUNK_SIZE:
        print(f"{prog}: --chunk-size must be between 4K and 64M", file=sys.stderr)
        return EXIT_USAGE
    token = _token(parsed.token_file, prog)
    if token is None:
        return EXIT_USAGE
    bar = None if parsed.quiet else _ProgressBar(sys.stderr)
    try:
        summary = send(
            paths,
            url,
            token=token,
            streams=parsed.streams,
            chunk_size=parsed.chunk_size,
            congestion=parsed.congestion,
            pacing_mbit=parsed.pacing_mbit,
            compression=not parsed.no_compression,
            progress=bar,
            patience=parsed.patience,
        )
    except TransferError as exc:
        if bar is not None:
            bar.close()
        print(f"{prog}: transfer failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if bar is not None:
        bar.close()
    print(format_summary(summary), flush=True)
    return 0


class _ProgressBar:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self.width = 0

    def __call__(self, progress: Progress) -> None:
        line = format_progress(progress)
        self.stream.write("\r" + line.ljust(self.width))  # pad over a longer previous line
        self.stream.flush()
        self.width = len(line)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def _human(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"
