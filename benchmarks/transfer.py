"""Benchmark of the transfer engine across an emulated trans-Pacific link, with single-stream HTTP and tus.

Issue 7, item 5: in one run over one emulated link (:class:`huizhen.transfer.linkemu.LinkEmulator`:
180 ms RTT, 1 % loss each way, 50 Mbit/s, a one-BDP bottleneck queue) send the same payload
of random (incompressible) bytes from namespace A to namespace B with

* huizhen — ``huizhen transfer send`` → ``huizhen transfer receive``, default settings
  (adaptive streams, BBR requested per socket), and again with ``--congestion cubic``;
* a single-stream HTTP upload — one ``http.client`` PUT to a small Python receiver, the
  socket pinned to CUBIC (``TCP_CONGESTION``), the default of most senders;
* the same single stream with BBR (the machine's default here, not most senders');
* tus — tuspy (default settings, one PATCH) to tuspyserver under uvicorn, its sockets pinned
  to CUBIC.

Every run is bounded: a run that has not finished in its time (``--baseline-seconds`` for the
single-stream and tus rows, ``--huizhen-seconds`` for huizhen) is stopped, and its rate is
what reached the receiver's disk in that time, with the whole payload's time extrapolated
(marked in the table). A finished run's time is the sender's wall-clock time, start-up
and hashing included. The Markdown section goes into docs/engines/transfer.md between the
bench markers. Needs root (network namespaces, /dev/net/tun).

    uv run --group bench python benchmarks/transfer.py [--size MB] [--baseline-seconds S] [--no-write]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import http.server
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from machine import describe_machine, package_version  # benchmarks/machine.py, beside this script

from huizhen.transfer.linkemu import LinkEmulator, can_emulate

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "engines" / "transfer.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SCRIPT = Path(__file__).resolve()
PORTS = {"huizhen": 8700, "http": 8701, "tus": 8702}
TARGET_LINK_FRACTION = 0.80
TARGET_SPEEDUP = 20.0


@dataclass(frozen=True)
class Row:
    name: str
    tool: str  # huizhen, http, tus
    congestion: str
    streams: str
    bound: str  # which time bound applies: "huizhen" or "baseline"


ROWS = (
    Row("huizhen (adaptive, BBR)", "huizhen", "bbr", "adaptive", "huizhen"),
    Row("huizhen (adaptive, CUBIC)", "huizhen", "cubic", "adaptive", "huizhen"),
    Row("HTTP PUT, one stream", "http", "cubic", "1", "baseline"),
    Row("HTTP PUT, one stream", "http", "bbr", "1", "baseline"),
    Row("tus (tuspy → tuspyserver)", "tus", "cubic", "1", "baseline"),
)


@dataclass
class Result:
    row: Row
    bytes: int
    seconds: float
    completed: bool
    chunks_resent: int | None
    streams_used: int | None
    note: str = ""

    @property
    def mbit(self) -> float:
        return self.bytes * 8 / self.seconds / 1e6 if self.seconds > 0 else 0.0


# -- the pieces that run inside the namespaces (this script's own subcommands) --------------------


def tuned_socket(host: str, port: int, congestion: str) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, congestion.encode())
    deadline = time.monotonic() + 30
    while True:
        try:
            sock.connect((host, port))
            return sock
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def http_put(url_host: str, port: int, payload: Path, congestion: str) -> None:
    """One PUT of the whole file over one connection with the congestion control pinned."""
    conn = http.client.HTTPConnection(url_host, port)
    conn.sock = tuned_socket(url_host, port, congestion)
    size = payload.stat().st_size
    conn.putrequest("PUT", f"/{payload.name}")
    conn.putheader("Content-Length", str(size))
    conn.putheader("Content-Type", "application/octet-stream")
    conn.endheaders()
    with payload.open("rb") as f:
        while block := f.read(1 << 20):
            conn.send(block)
    response = conn.getresponse()
    response.read()
    if response.status >= 300:
        raise SystemExit(f"PUT failed: {response.status}")


class SinkHandler(http.server.BaseHTTPRequestHandler):
    directory = Path(".")

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        target = self.directory / Path(self.path).name
        with target.open("wb") as f:
            while length > 0:
                data = self.rfile.read1(min(length, 1 << 20))
                if not data:
                    return
                f.write(data)
                f.flush()
                length -= len(data)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def http_sink(host: str, port: int, directory: Path) -> None:
    SinkHandler.directory = directory
    http.server.ThreadingHTTPServer((host, port), SinkHandler).serve_forever()


def tus_server(host: str, port: int, directory: Path) -> None:
    import uvicorn
    from fastapi import FastAPI
    from tuspyserver import create_tus_router

    app = FastAPI()
    app.include_router(create_tus_router(prefix="files", files_dir=str(directory), max_size=1 << 40))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def tus_upload(host: str, port: int, payload: Path, congestion: str) -> None:
    import urllib3.util.connection
    from tusclient import client

    # tuspy talks through requests/urllib3, whose connections take their socket options from a
    # default bound at import: pin the congestion control where urllib3 applies options instead.
    apply_options = urllib3.util.connection._set_socket_options

    def pinned(sock: socket.socket, options: Any) -> None:
        apply_options(sock, options)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, congestion.encode())
        chosen = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
        print(f"tus socket congestion control: {chosen}", file=sys.stderr, flush=True)

    urllib3.util.connection._set_socket_options = pinned
    deadline = time.monotonic() + 30
    while True:
        try:
            uploader = client.TusClient(f"http://{host}:{port}/files/").uploader(str(payload))
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    uploader.upload()


# -- the driver ------------------------------------------------------------------------------------


def huizhen_argv() -> list[str]:
    script = Path(sys.executable).parent / "huizhen"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from huizhen.cli import main; sys.exit(main(sys.argv))"]


def bytes_on_disk(directory: Path) -> int:
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def wait_for_port(link: LinkEmulator, host: str, port: int) -> None:
    snippet = (
        "import socket,sys,time\n"
        "for _ in range(300):\n"
        "    try:\n"
        "        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close(); break\n"
        "    except OSError: time.sleep(0.1)\n"
    )
    link.run_in("a", [sys.executable, "-c", snippet, host, str(port)], check=True, timeout=120)


def run_row(row: Row, link: LinkEmulator, payload: Path, scratch: Path, bound: float) -> Result:
    received = scratch / f"received-{row.tool}-{row.congestion}"
    received.mkdir()
    host, port = link.addr_b, PORTS[row.tool]
    stderr_path = scratch / f"sender-{row.tool}-{row.congestion}.log"
    if row.tool == "huizhen":
        token = scratch / "token"
        server_argv = [*huizhen_argv(), "transfer", "receive", "--listen", f"{host}:{port}", "--dir", str(received),
                       "--token-file", str(token)]  # fmt: skip
        client_argv = [*huizhen_argv(), "transfer", "send", str(payload), f"http://{host}:{port}",
                       "--token-file", str(token), "--congestion", row.congestion]  # fmt: skip
    elif row.tool == "http":
        server_argv = [sys.executable, str(SCRIPT), "_http-sink", host, str(port), str(received)]
        client_argv = [sys.executable, str(SCRIPT), "_http-put", host, str(port), str(payload), row.congestion]
    else:
        server_argv = [sys.executable, str(SCRIPT), "_tus-server", host, str(port), str(received)]
        client_argv = [sys.executable, str(SCRIPT), "_tus-upload", host, str(port), str(payload), row.congestion]
    server = link.popen_in("b", server_argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(link, host, port)
        with stderr_path.open("wb") as log:
            start = time.monotonic()
            client = link.popen_in("a", client_argv, stdout=log, stderr=subprocess.STDOUT)
            while client.poll() is None and time.monotonic() - start < bound:
                time.sleep(0.25)
            elapsed = time.monotonic() - start
            done = client.poll() is not None
            at_bound = bytes_on_disk(received)
            if not done:
                client.kill()
                client.wait()
        output = stderr_path.read_text(errors="replace")
        size = payload.stat().st_size
        if done and client.returncode != 0:
            raise SystemExit(f"{row.name} ({row.congestion}) failed (exit {client.returncode}):\n{output[-3000:]}")
        resent, streams = parse_summary(output) if row.tool == "huizhen" else (None, None)
        if done:
            return Result(row, size, elapsed, True, resent, streams)
        return Result(row, min(at_bound, size), elapsed, False, resent, streams)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(received, ignore_errors=True)


def parse_summary(output: str) -> tuple[int | None, int | None]:
    """Chunks re-sent and streams used, from the sender's summary line (None when absent)."""
    tail = output.replace("\r", "\n").splitlines()[-5:]
    text = "\n".join(tail)
    resent = re.search(r"(\d+) chunks? re-?sent|re-?sent[^0-9\n]*(\d+)", text)
    streams = re.search(r"(\d+) streams?|streams?[^0-9\n]*(\d+)", text)

    def number(match: re.Match[str] | None) -> int | None:
        if match is None:
            return None
        return int(next(g for g in match.groups() if g is not None))

    return number(resent), number(streams)


def make_payload(path: Path, size: int) -> None:
    with path.open("wb") as f:
        remaining = size
        while remaining > 0:
            block = os.urandom(min(remaining, 1 << 22))
            f.write(block)
            remaining -= len(block)


def render(results: Sequence[Result], args: argparse.Namespace, size: int, link_counts: str) -> str:
    single = next((r for r in results if r.row.tool == "http" and r.row.congestion == "cubic"), None)
    base = single.mbit if single is not None and single.mbit > 0 else None
    lines = [
        f"Measured {datetime.date.today().isoformat()} by `benchmarks/transfer.py` in one run over one emulated "
        f"link: {args.rtt_ms:g} ms RTT, {100 * args.loss:g} % loss in each direction, {args.rate_mbit:g} Mbit/s, "
        f"a one-BDP bottleneck queue with tail drop (`huizhen.transfer.linkemu`, seed {args.seed}). "
        f"Payload: one file of {size / 1e6:,.0f} MB of random bytes (incompressible, so compression plays no part). "
        f"Runs that had not finished after {args.baseline_seconds:g} s (single stream, tus) or "
        f"{args.huizhen_seconds:g} s (huizhen) were stopped: their rate is what reached the receiver's disk in that "
        "time and their seconds (*) are extrapolated to the whole payload. × single stream is relative to the "
        "single CUBIC HTTP stream.",
        "",
        "Machine: "
        + describe_machine(
            f"huizhen {package_version('huizhen')}, tuspy {package_version('tuspy')}, "
            f"tuspyserver {package_version('tuspyserver')}, uvicorn {package_version('uvicorn')}"
        )
        + ".",
        "",
        "| sender | congestion control | streams | Mbit/s | % of link | × single stream | seconds | chunks re-sent |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        streams = r.row.streams if r.streams_used is None else f"{r.row.streams} (up to {r.streams_used})"
        seconds = f"{r.seconds:,.0f}" if r.completed else f"{size * 8 / (r.mbit * 1e6):,.0f} *" if r.mbit else "—"
        ratio = f"{r.mbit / base:,.1f}×" if base else "—"
        resent = "—" if r.chunks_resent is None else str(r.chunks_resent)
        lines.append(
            f"| {r.row.name} | {r.row.congestion.upper()} | {streams} | {r.mbit:,.2f} | "
            f"{100 * r.mbit / args.rate_mbit:,.1f} % | {ratio} | {seconds} | {resent} |"
        )
    lines += ["", link_counts, ""]
    best = next((r for r in results if r.row.tool == "huizhen"), None)
    if best is not None:
        fraction = best.mbit / args.rate_mbit
        met = fraction >= TARGET_LINK_FRACTION
        lines.append(
            f"- huizhen (default settings) at {100 * fraction:.1f} % of the link "
            f"(target ≥ {100 * TARGET_LINK_FRACTION:.0f} %) — {'met' if met else 'NOT met'}"
        )
        if base:
            speedup = best.mbit / base
            met = speedup >= TARGET_SPEEDUP
            lines.append(
                f"- huizhen (default settings) at {speedup:,.1f}× the single CUBIC stream "
                f"(target ≥ {TARGET_SPEEDUP:.0f}×) — {'met' if met else 'NOT met'}"
            )
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if START not in text:
        text = text.rstrip("\n") + ("\n\n" if text else "") + f"## Benchmark\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{section}\n{END}{after}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in and args_in[0].startswith("_"):
        return helper(args_in)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=float, default=500, help="payload in MB (default 500)")
    parser.add_argument("--baseline-seconds", type=float, default=120, help="bound on single-stream and tus runs")
    parser.add_argument("--huizhen-seconds", type=float, default=900, help="bound on each huizhen run")
    parser.add_argument("--rtt-ms", type=float, default=180)
    parser.add_argument("--loss", type=float, default=0.01)
    parser.add_argument("--rate-mbit", type=float, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", default="all", help="comma-separated tools to run: huizhen,http,tus")
    parser.add_argument("--no-write", action="store_true", help="print the table without touching the docs")
    args = parser.parse_args(args_in)
    reason = can_emulate()
    if reason is not None:
        print(f"benchmarks/transfer.py: {reason}", file=sys.stderr)
        return 2
    tools = set(args.rows.split(",")) if args.rows != "all" else {"huizhen", "http", "tus"}
    size = int(args.size * 1e6)
    scratch = Path(tempfile.mkdtemp(prefix="hz-transfer-bench-"))
    results: list[Result] = []
    try:
        payload_dir = scratch / "payload"
        payload_dir.mkdir()
        payload = payload_dir / "study.bin"
        make_payload(payload, size)
        (scratch / "token").write_text(secrets.token_hex(32))
        with LinkEmulator(rtt_ms=args.rtt_ms, loss=args.loss, rate_mbit=args.rate_mbit, seed=args.seed) as link:
            for row in ROWS:
                if row.tool not in tools:
                    continue
                bound = args.huizhen_seconds if row.bound == "huizhen" else args.baseline_seconds
                print(f"{row.name} ({row.congestion}) …", file=sys.stderr, flush=True)
                result = run_row(row, link, payload, scratch, bound)
                print(
                    f"  {result.mbit:.2f} Mbit/s, {result.seconds:.1f} s, "
                    f"{'completed' if result.completed else 'stopped at the bound'}",
                    file=sys.stderr,
                    flush=True,
                )
                results.append(result)
                time.sleep(2)  # let the bottleneck queue drain between runs
        stats = link.stats
        link_counts = ""
        if stats is not None:
            d = stats.a_to_b
            link_counts = (
                f"Link counters over the whole run, A→B: {d.packets_in:,} packets, {d.dropped_loss:,} lost at random "
                f"({100 * d.dropped_loss / max(d.packets_in, 1):.2f} %), {d.dropped_queue:,} tail-dropped at the "
                f"bottleneck queue; B→A: {stats.b_to_a.packets_in:,} packets, {stats.b_to_a.dropped_loss:,} lost."
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    section = render(results, args, size, link_counts)
    print(section)
    if not args.no_write:
        write_doc(section)
    return 0


def helper(args: list[str]) -> int:
    command, host, port = args[0], args[1], int(args[2])
    if command == "_http-sink":
        http_sink(host, port, Path(args[3]))
    elif command == "_http-put":
        http_put(host, port, Path(args[3]), args[4])
    elif command == "_tus-server":
        tus_server(host, port, Path(args[3]))
    elif command == "_tus-upload":
        tus_upload(host, port, Path(args[3]), args[4])
    else:
        raise SystemExit(f"unknown helper {command}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
