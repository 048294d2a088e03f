"""A long, lossy link between two network namespaces, emulated in user space for tests and benchmarks.

The kernel's netem qdisc is not available on the machines this project runs on, but network
namespaces and ``/dev/net/tun`` are (as root). :class:`LinkEmulator` creates two namespaces
(``hzA-<pid>-<n>`` and ``hzB-<pid>-<n>``), a TUN interface in each (MTU 1500, addresses
``10.X.Y.1`` and ``10.X.Y.2``, point to point) and a forwarder process that reads every IP
packet from one TUN and writes it to the other after:

* random loss — each packet, in each direction, is dropped with probability ``loss``
  (a seeded RNG; a round trip therefore loses ``1 - (1 - loss)**2`` of probes);
* a rate limit — a bottleneck of ``rate_mbit`` per direction modelled as a FIFO that
  serializes each packet in ``size * 8 / rate`` seconds; the queue holds at most
  ``queue_bytes`` (default one bandwidth-delay product, at least 64 KiB), packets that
  would overflow it are dropped at the tail;
* one-way delay — ``rtt_ms / 2`` added after the bottleneck, released in time order.

The forwarder is one ``epoll`` loop in its own process (niced up, so that the endpoints on
a 2-core machine cannot starve the "network"); its counters per direction are read back at
the end as :attr:`LinkEmulator.stats`. In each namespace ``tcp_no_metrics_save`` is set,
so one connection's losses do not lower the next one's slow-start threshold. Everything —
processes in the namespaces, the forwarder, the namespaces and their interfaces — is
removed on exit, also after an error.

    with LinkEmulator(rtt_ms=180, loss=0.01, rate_mbit=50, seed=1) as link:
        server = link.popen_in("b", ["python", "-m", "http.server", "--bind", link.addr_b])
        link.run_in("a", ["curl", f"http://{link.addr_b}:8000/"])

``python -m huizhen.transfer.linkemu emulate --rtt-ms 180 --loss 0.01 --rate-mbit 50
[--in-b 'CMD'] -- CMD ...`` runs a command in namespace A (and optionally a background
command in B) with ``HUIZHEN_LINK_A``/``HUIZHEN_LINK_B`` holding the two addresses.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import fcntl
import itertools
import json
import os
import random
import select
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

TUN_DEVICE = "/dev/net/tun"
TUNSETIFF = 0x400454CA  # _IOW('T', 202, int), linux/if_tun.h
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MTU = 1500
MIN_QUEUE_BYTES = 64 * 1024
_instances = itertools.count()


def can_emulate() -> str | None:
    """Why the link emulator cannot run here, or None when it can (root, TUN device, ``ip``)."""
    if os.geteuid() != 0:
        return "the link emulator needs root (network namespaces and a TUN device); CI runs these tests as root"
    if not os.path.exists(TUN_DEVICE):
        return f"the link emulator needs {TUN_DEVICE}"
    if subprocess.run(["ip", "netns", "list"], capture_output=True, check=False).returncode != 0:
        return "the link emulator needs `ip netns` (iproute2)"
    return None


def root_or_skip() -> None:
    """Skip the calling test, with the reason, where the emulator cannot run."""
    import pytest  # only tests call this; the package itself does not need pytest

    reason = can_emulate()
    if reason is not None:
        pytest.skip(reason)


@dataclass
class DirectionStats:
    """What the forwarder did with the packets of one direction."""

    packets_in: int = 0
    forwarded: int = 0
    bytes_forwarded: int = 0
    dropped_loss: int = 0
    dropped_queue: int = 0
    write_errors: int = 0
    max_queue_bytes: int = 0


@dataclass
class LinkStats:
    a_to_b: DirectionStats = field(default_factory=DirectionStats)
    b_to_a: DirectionStats = field(default_factory=DirectionStats)


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")


def _open_tun(name: str) -> int:
    fd = os.open(TUN_DEVICE, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


class LinkEmulator:
    """Two network namespaces joined by an emulated link (delay, loss, rate); a context manager."""

    def __init__(
        self,
        rtt_ms: float = 180.0,
        loss: float = 0.01,
        rate_mbit: float = 50.0,
        seed: int = 0,
        *,
        queue_bytes: int | None = None,
    ) -> None:
        if rtt_ms < 0 or not 0 <= loss < 1 or rate_mbit <= 0:
            raise ValueError("rtt_ms >= 0, 0 <= loss < 1 and rate_mbit > 0")
        self.rtt_ms = rtt_ms
        self.loss = loss
        self.rate_mbit = rate_mbit
        self.seed = seed
        bdp = int(rate_mbit * 1e6 / 8 * rtt_ms / 1000)
        self.queue_bytes = queue_bytes if queue_bytes is not None else max(bdp, MIN_QUEUE_BYTES)
        n = next(_instances)
        pid = os.getpid()
        self.ns_a = f"hzA-{pid}-{n}"
        self.ns_b = f"hzB-{pid}-{n}"
        # Interface names are global until moved and at most 15 characters.
        self._tun_a = f"hz{pid % 10**8}a{n % 100}"
        self._tun_b = f"hz{pid % 10**8}b{n % 100}"
        # Every pair lives in its own namespaces, so the subnet only has to look distinct in logs.
        x, y = (pid >> 8) % 256, (pid + n) % 256
        self.addr_a = f"10.{x}.{y}.1"
        self.addr_b = f"10.{x}.{y}.2"
        self.stats: LinkStats | None = None
        self._forwarder: subprocess.Popen[bytes] | None = None
        self._control_w: int | None = None
        self._stats_path: Path | None = None
        self._namespaces: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> LinkEmulator:
        reason = can_emulate()
        if reason is not None:
            raise RuntimeError(reason)
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _start(self) -> None:
        fds: list[int] = []
        try:
            for ns, tun, local, peer in (
                (self.ns_a, self._tun_a, self.addr_a, self.addr_b),
                (self.ns_b, self._tun_b, self.addr_b, self.addr_a),
            ):
                _ip("netns", "add", ns)
                self._namespaces.append(ns)
                fds.append(_open_tun(tun))
                # The fd stays attached to the interface when it moves into the namespace.
                _ip("link", "set", tun, "netns", ns)
                _ip("-n", ns, "link", "set", "lo", "up")
                _ip("-n", ns, "link", "set", tun, "mtu", str(MTU), "txqueuelen", "1000", "up")
                _ip("-n", ns, "addr", "add", local, "peer", peer, "dev", tun)
                self.run_in(ns, ["sysctl", "-q", "-w", "net.ipv4.tcp_no_metrics_save=1"], check=True)
            fd_stats, stats_name = tempfile.mkstemp(prefix="hz-linkemu-", suffix=".json")
            os.close(fd_stats)
            self._stats_path = Path(stats_name)
            control_r, self._control_w = os.pipe()
            try:
                self._forwarder = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "huizhen.transfer.linkemu",
                        "forward",
                        f"--fd-a={fds[0]}",
                        f"--fd-b={fds[1]}",
                        f"--control-fd={control_r}",
                        f"--rtt-ms={self.rtt_ms}",
                        f"--loss={self.loss}",
                        f"--rate-mbit={self.rate_mbit}",
                        f"--queue-bytes={self.queue_bytes}",
                        f"--seed={self.seed}",
                        f"--stats={self._stats_path}",
                    ],
                    pass_fds=(fds[0], fds[1], control_r),
                    env=_child_env(),
                )
            finally:
                os.close(control_r)
        finally:
            # The forwarder holds its own copies; the interfaces vanish when it exits.
            for fd in fds:
                os.close(fd)
        self._wait_until_forwarding()

    def _wait_until_forwarding(self) -> None:
        assert self._stats_path is not None
        deadline = time.monotonic() + 10
        # The forwarder writes its (empty) counters once its SIGUSR1 handler is in place.
        while not self._stats_path.stat().st_size:
            assert self._forwarder is not None
            if self._forwarder.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"link forwarder did not start (status {self._forwarder.returncode})")
            time.sleep(0.02)
        probe = (
            "import socket,sys;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);"
            "s.settimeout(0.2);s.connect((sys.argv[1],9));s.send(b'x')"
        )
        while time.monotonic() < deadline:
            assert self._forwarder is not None
            if self._forwarder.poll() is not None:
                raise RuntimeError(f"link forwarder exited with status {self._forwarder.returncode}")
            # Any packet through the interface shows the forwarder is reading it.
            self.run_in(self.ns_a, [sys.executable, "-c", probe, self.addr_b], check=False)
            if self._read_stats_now():
                return
            time.sleep(0.05)
        raise RuntimeError("link forwarder did not start within 10 s")

    def _read_stats_now(self) -> bool:
        assert self._forwarder is not None
        assert self._stats_path is not None
        self._forwarder.send_signal(signal.SIGUSR1)
        time.sleep(0.05)
        try:
            data = json.loads(self._stats_path.read_text() or "{}")
        except (OSError, ValueError):
            return False
        return bool(data.get("a_to_b", {}).get("packets_in"))

    def close(self) -> None:
        """Stop everything in the namespaces, the forwarder, and remove the namespaces."""
        for ns in list(self._namespaces):
            self._kill_namespace_processes(ns)
        if self._control_w is not None:
            os.close(self._control_w)  # EOF tells the forwarder to write its counters and exit
            self._control_w = None
        if self._forwarder is not None:
            try:
                self._forwarder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._forwarder.kill()
                self._forwarder.wait()
            self._forwarder = None
        if self._stats_path is not None:
            with contextlib.suppress(OSError, ValueError, TypeError):
                self.stats = _stats_from_json(json.loads(self._stats_path.read_text()))
            self._stats_path.unlink(missing_ok=True)
            self._stats_path = None
        for ns in list(self._namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
            self._namespaces.remove(ns)

    @staticmethod
    def _kill_namespace_processes(ns: str) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            listed = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True, check=False)
            pids = [int(p) for p in listed.stdout.split()]
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
                time.sleep(0.05)

    # -- running things inside -----------------------------------------------------------------

    def namespace(self, ns: str) -> str:
        """The namespace name for ``"a"``/``"b"`` (or a full name, returned as is)."""
        return {"a": self.ns_a, "b": self.ns_b}.get(ns.lower(), ns)

    def run_in(self, ns: str, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """``subprocess.run`` of ``argv`` inside namespace ``ns`` (``"a"``, ``"b"`` or a name)."""
        kwargs.setdefault("check", False)
        return subprocess.run(["ip", "netns", "exec", self.namespace(ns), *argv], **kwargs)

    def popen_in(self, ns: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """``subprocess.Popen`` of ``argv`` inside namespace ``ns``; killed at the latest on close."""
        return subprocess.Popen(["ip", "netns", "exec", self.namespace(ns), *argv], **kwargs)

    def current_stats(self) -> LinkStats:
        """The forwarder's counters so far."""
        if not self._read_stats_now():
            return LinkStats()
        assert self._stats_path is not None
        return _stats_from_json(json.loads(self._stats_path.read_text()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The forwarder imports this module by name, also from a source checkout.
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    return env


def _stats_from_json(data: dict[str, dict[str, int]]) -> LinkStats:
    return LinkStats(a_to_b=DirectionStats(**data["a_to_b"]), b_to_a=DirectionStats(**data["b_to_a"]))


# -- the forwarder (its own process) ------------------------------------------------------------


class _Lane:
    """One direction of the link: a serializing bottleneck with a bounded FIFO, then a delay line."""

    def __init__(self, out_fd: int, *, owd: float, byte_time: float, queue_bytes: int) -> None:
        self.out_fd = out_fd
        self.owd = owd
        self.byte_time = byte_time
        self.queue_seconds = queue_bytes * byte_time
        self.free_at = 0.0  # when the bottleneck finishes serializing what it already holds
        self.in_flight: collections.deque[tuple[float, bytes]] = collections.deque()
        self.stats = DirectionStats()

    def offer(self, packet: bytes, now: float, lost: bool) -> None:
        self.stats.packets_in += 1
        if lost:
            self.stats.dropped_loss += 1
            return
        start = self.free_at if self.free_at > now else now
        backlog = start - now
        if backlog + len(packet) * self.byte_time > self.queue_seconds:
            self.stats.dropped_queue += 1
            return
        queued = int(backlog / self.byte_time) + len(packet)
        if queued > self.stats.max_queue_bytes:
            self.stats.max_queue_bytes = queued
        self.free_at = start + len(packet) * self.byte_time
        # Constant delay after a FIFO keeps release times in order: a deque, not a heap.
        self.in_flight.append((self.free_at + self.owd, packet))

    def release(self, now: float) -> None:
        in_flight, stats = self.in_flight, self.stats
        while in_flight and in_flight[0][0] <= now:
            packet = in_flight.popleft()[1]
            try:
                os.write(self.out_fd, packet)
            except OSError:
                stats.write_errors += 1
                continue
            stats.forwarded += 1
            stats.bytes_forwarded += len(packet)


def forward(
    fd_a: int,
    fd_b: int,
    control_fd: int,
    *,
    rtt_ms: float,
    loss: float,
    rate_mbit: float,
    queue_bytes: int,
    seed: int,
    stats_path: Path,
) -> None:
    """Move packets between two TUN fds until ``control_fd`` reaches EOF; write counters to ``stats_path``."""
    with contextlib.suppress(OSError):
        os.nice(-10)
    rng = random.Random(seed)  # noqa: S311 - reproducible loss, not secrecy
    owd = rtt_ms / 2000
    byte_time = 8 / (rate_mbit * 1e6)
    lanes = {
        fd_a: _Lane(fd_b, owd=owd, byte_time=byte_time, queue_bytes=queue_bytes),
        fd_b: _Lane(fd_a, owd=owd, byte_time=byte_time, queue_bytes=queue_bytes),
    }
    a_to_b, b_to_a = lanes[fd_a], lanes[fd_b]

    def write_stats(*_: object) -> None:
        tmp = stats_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"a_to_b": vars(a_to_b.stats), "b_to_a": vars(b_to_a.stats)}))
        os.replace(tmp, stats_path)

    signal.signal(signal.SIGUSR1, write_stats)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the control pipe ends the loop
    write_stats()
    for fd in (fd_a, fd_b):
        os.set_blocking(fd, False)
    poller = select.epoll()
    poller.register(fd_a, select.EPOLLIN)
    poller.register(fd_b, select.EPOLLIN)
    poller.register(control_fd, select.EPOLLIN)
    clock = time.monotonic
    lane_list = (a_to_b, b_to_a)
    while True:
        heads = [lane.in_flight[0][0] for lane in lane_list if lane.in_flight]
        timeout = max(0.0, min(heads) - clock()) if heads else None
        try:
            events = poller.poll(timeout)
        except InterruptedError:
            continue
        for fd, _ in events:
            if fd == control_fd:
                write_stats()
                return
            lane = lanes[fd]
            for _ in range(256):  # bounded, so one busy direction cannot starve the other
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                lane.offer(packet, clock(), loss > 0 and rng.random() < loss)
        now = clock()
        a_to_b.release(now)
        b_to_a.release(now)


# -- probes: what the tests and benchmarks measure the link with -----------------------------------


def probe_echo(host: str, port: int) -> None:
    """A UDP echo server (runs until killed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, port))
        while True:
            data, peer = sock.recvfrom(2048)
            sock.sendto(data, peer)


def probe_ping(host: str, port: int, *, count: int, interval: float, size: int) -> dict[str, Any]:
    """Send ``count`` numbered UDP probes to an echo server; round-trip times (ms) of those that came back."""
    sent: dict[int, float] = {}
    rtts: list[float] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        sock.setblocking(False)
        next_send = time.monotonic()
        seq = 0
        while True:
            now = time.monotonic()
            if seq < count and now >= next_send:
                sock.send(struct.pack("!I", seq).ljust(size, b"\0"))
                sent[seq] = now
                seq += 1
                next_send += interval
            if seq >= count and now > next_send + 2.0:
                break
            ready, _, _ = select.select([sock], [], [], max(0.0, min(next_send - now, 0.05)))
            if ready:
                data = sock.recv(2048)
                echoed = struct.unpack("!I", data[:4])[0]
                rtts.append((time.monotonic() - sent[echoed]) * 1000)
    return {"sent": count, "received": len(rtts), "rtt_ms": rtts}


def probe_sink(host: str, port: int) -> dict[str, Any]:
    """Accept one TCP connection, read it to the end; bytes and seconds from accept to the last byte."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(1)
        conn, _ = server.accept()
        with conn:
            start = last = time.monotonic()
            total = 0
            buf = bytearray(1 << 20)
            while n := conn.recv_into(buf):
                total += n
                last = time.monotonic()
    return {"bytes": total, "seconds": last - start}


def probe_send(host: str, port: int, *, seconds: float, congestion: str | None) -> dict[str, Any]:
    """Send zeros over one TCP connection for ``seconds`` (congestion control pinned when given)."""
    with socket.socket() as sock:
        if congestion:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, congestion.encode())
        deadline = time.monotonic() + 30
        while True:
            try:
                sock.connect((host, port))
                break
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        block = bytes(1 << 16)
        total = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            total += sock.send(block)
    return {"bytes_written": total}


# -- command line -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m huizhen.transfer.linkemu",
        description="Emulated long lossy link between two network namespaces.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fwd = sub.add_parser("forward", help="(internal) the forwarder process")
    fwd.add_argument("--fd-a", type=int, required=True)
    fwd.add_argument("--fd-b", type=int, required=True)
    fwd.add_argument("--control-fd", type=int, required=True)
    fwd.add_argument("--queue-bytes", type=int, required=True)
    fwd.add_argument("--stats", type=Path, required=True)
    emu = sub.add_parser("emulate", help="run a command in namespace A across an emulated link")
    emu.add_argument("--in-b", default=None, help="a shell command started in namespace B first (background)")
    emu.add_argument("argv", nargs=argparse.REMAINDER, help="-- the command to run in namespace A")
    echo = sub.add_parser("probe-echo", help="UDP echo server")
    ping = sub.add_parser("probe-ping", help="UDP round trips to probe-echo; JSON on stdout")
    ping.add_argument("--count", type=int, default=100)
    ping.add_argument("--interval", type=float, default=0.01)
    ping.add_argument("--size", type=int, default=64)
    sink = sub.add_parser("probe-sink", help="read one TCP connection; JSON on stdout")
    send = sub.add_parser("probe-send", help="write to one TCP connection for a while")
    send.add_argument("--seconds", type=float, default=10.0)
    send.add_argument("--congestion", default=None)
    for p in (echo, ping, sink, send):
        p.add_argument("host")
        p.add_argument("port", type=int)
    for p in (fwd, emu):
        p.add_argument("--rtt-ms", type=float, default=180.0)
        p.add_argument("--loss", type=float, default=0.01)
        p.add_argument("--rate-mbit", type=float, default=50.0)
        p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "forward":
        forward(
            args.fd_a,
            args.fd_b,
            args.control_fd,
            rtt_ms=args.rtt_ms,
            loss=args.loss,
            rate_mbit=args.rate_mbit,
            queue_bytes=args.queue_bytes,
            seed=args.seed,
            stats_path=args.stats,
        )
        return 0
    if args.command == "probe-echo":
        probe_echo(args.host, args.port)
        return 0
    if args.command in ("probe-ping", "probe-sink", "probe-send"):
        if args.command == "probe-ping":
            result = probe_ping(args.host, args.port, count=args.count, interval=args.interval, size=args.size)
        elif args.command == "probe-sink":
            result = probe_sink(args.host, args.port)
        else:
            result = probe_send(args.host, args.port, seconds=args.seconds, congestion=args.congestion)
        print(json.dumps(result))
        return 0
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not command:
        parser.error("emulate needs a command after --")
    return emulate(
        command, in_b=args.in_b, rtt_ms=args.rtt_ms, loss=args.loss, rate_mbit=args.rate_mbit, seed=args.seed
    )


def emulate(
    command: Sequence[str], *, in_b: str | None, rtt_ms: float, loss: float, rate_mbit: float, seed: int
) -> int:
    """Run ``command`` in namespace A (and ``in_b`` in B) across the link; print the link's counters."""
    reason = can_emulate()
    if reason is not None:
        print(f"huizhen transfer emulate: {reason}", file=sys.stderr)
        return 2
    with LinkEmulator(rtt_ms=rtt_ms, loss=loss, rate_mbit=rate_mbit, seed=seed) as link:
        env = {**os.environ, "HUIZHEN_LINK_A": link.addr_a, "HUIZHEN_LINK_B": link.addr_b}
        print(f"link: A={link.addr_a} ({link.ns_a})  B={link.addr_b} ({link.ns_b})", file=sys.stderr)
        if in_b:
            link.popen_in("b", ["sh", "-c", in_b], env=env)
            time.sleep(0.5)
        returncode = link.run_in("a", list(command), env=env).returncode
    if link.stats is not None:
        for name, d in (("A→B", link.stats.a_to_b), ("B→A", link.stats.b_to_a)):
            print(
                f"{name}: {d.packets_in} packets, {d.forwarded} forwarded, {d.dropped_loss} lost, "
                f"{d.dropped_queue} tail-dropped, queue peak {d.max_queue_bytes} B",
                file=sys.stderr,
            )
    print(f"command: {shlex.join(command)} → exit {returncode}", file=sys.stderr)
    return int(returncode)


if __name__ == "__main__":
    sys.exit(main())
