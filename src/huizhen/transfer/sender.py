"""The sending end: parallel persistent HTTP/1.1 streams over a shared chunk queue, with retries and resume.

:func:`send` builds the manifest, opens (or re-opens) the session, and sends only the
chunks the receiver says are missing, which is resume and deduplication at once. Each
stream is one thread holding one keep-alive connection whose socket asks for the
congestion control named (BBR by default, ``TCP_CONGESTION``; quietly left at the
system's default where refused) and, when a pacing rate is given, caps its rate with
``SO_MAX_PACING_RATE`` so that parallel BBR start-ups do not overfill the bottleneck
queue. Streams take the next chunk from one queue, so a stream slowed by a loss just
carries fewer chunks. With ``streams=None`` the number adapts to the congestion control
the socket actually got: under BBR start with :data:`INITIAL_STREAMS_BBR` (2) and allow at
most :data:`MAX_STREAMS_BBR` (4) — one BBR stream nearly fills a lossy path, and more
start-ups only overfill the bottleneck queue; under CUBIC (or Reno) start with
:data:`INITIAL_STREAMS` and allow :data:`MAX_STREAMS` (48), since each loss-bound stream
carries little. The count doubles only while the TCP-acknowledged throughput still rises by
10 % or more *and* the path is not yet near its ceiling, which the streams' own round-trip
times show: when the smoothed RTT stands well above the minimum RTT a queue is building
at the bottleneck, and more streams would only lengthen it. A failed chunk goes back on
the queue; a stream that cannot reach the receiver backs off exponentially with jitter
and keeps trying until ``patience`` seconds pass without any progress. A chunk is sent
zstd-compressed only where that saves at least 10 % (:data:`COMPRESSION_MIN_SAVING`); the
first chunk of each file probes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import json
import os
import queue
import random
import socket
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import zstandard

from huizhen.transfer.errors import TransferError
from huizhen.transfer.manifest import (
    DEFAULT_CHUNK_SIZE,
    build_manifest,
    key_from_token,
    local_sources,
    sign_manifest,
)

AuthHook = Callable[[str, str, bytes], dict[str, str]]
INITIAL_STREAMS = 4
MAX_STREAMS = 48
INITIAL_STREAMS_BBR = 2
MAX_STREAMS_BBR = 4
QUEUE_FULL_FRACTION = 0.2  # queueing delay, as a share of the minimum RTT, that says the path is full
QUEUE_FULL_FLOOR = 0.005  # ... but never less than this many seconds (loopback RTTs are microseconds)
ADAPT_INTERVAL = 3.0
ADAPT_SETTLE = 1.0
_TCP_INFO_BYTES_ACKED = 120  # offset of tcpi_bytes_acked (u64) in Linux's struct tcp_info (since 4.1)
_TCP_INFO_RTT = 68  # tcpi_rtt (u32, microseconds, smoothed)
_TCP_INFO_MIN_RTT = 148  # tcpi_min_rtt (u32, microseconds; since 4.6)
COMPRESSION_LEVEL = 3
COMPRESSION_MIN_SAVING = 0.10
ADAPT_MIN_GAIN = 0.10
PIPELINE_DEPTH = 2  # chunk requests in flight per connection (HTTP/1.1 pipelining)
SO_MAX_PACING_RATE = getattr(socket, "SO_MAX_PACING_RATE", 47)  # Linux value; Python does not export it
_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_FIRST = 0.2
_BACKOFF_CAP = 5.0


@dataclass(frozen=True)
class Progress:
    """A snapshot for a progress bar: bytes over the transfer's distinct chunks."""

    bytes_done: int
    bytes_total: int
    seconds: float
    mbps: float
    eta_seconds: float | None
    streams: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.bytes_total == 0 else self.bytes_done / self.bytes_total


@dataclass(frozen=True)
class Summary:
    """What a finished send did. ``bytes``: chunk bytes this run sent (before compression)."""

    bytes: int
    seconds: float
    mbps: float
    chunks_sent: int
    chunks_resent: int
    streams_used: int
    wire_bytes: int = 0
    total_bytes: int = 0
    files: int = 0


def send(
    paths: Iterable[str | os.PathLike[str]],
    url: str,
    *,
    token: str | None = None,
    auth: AuthHook | None = None,
    key: bytes | None = None,
    streams: int | None = None,
    max_streams: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    congestion: str | None = "bbr",
    pacing_mbit: float | None = None,
    compression: bool = True,
    progress: Callable[[Progress], None] | None = None,
    patience: float = 300.0,
) -> Summary:
    """Send files and directories to the receiver at ``url``; return a :class:`Summary` or raise TransferError.

    ``token`` is the bearer token (and, hashed, the manifest-signing key); ``auth``
    instead signs each request (the node layer's RFC 9421 signatures) and then ``key``
    must be given. ``pacing_mbit`` is a total rate shared evenly among the streams.
    ``max_streams`` caps the adaptive count (None: 4 under BBR, 48 otherwise).
    """
    if auth is None:
        if token is None:
            raise ValueError("send() needs a token or an auth hook")
        bearer = {"Authorization": f"Bearer {token}"}

        def auth(method: str, url: str, body: bytes) -> dict[str, str]:
            return dict(bearer)

    if key is None:
        if token is None:
            raise ValueError("send() with an auth hook needs the manifest key")
        key = key_from_token(token)
    if streams is not None and streams < 1:
        raise ValueError("streams must be at least 1")
    started = time.monotonic()  # hashing counts: it is part of what the user waits for
    path_list = list(paths)
    manifest = build_manifest(path_list, chunk_size=chunk_size)
    sources = local_sources(path_list)
    transfer = _Transfer(
        base_url=url.rstrip("/"),
        auth=auth,
        congestion=congestion,
        pacing_mbit=pacing_mbit,
        compression=compression,
        patience=patience,
    )
    where: dict[str, tuple[Path, str, int, int]] = {}
    for entry in manifest.files:
        offset = 0
        for chunk in entry.chunks:
            where.setdefault(chunk.sha256, (sources[entry.path], entry.path, offset, chunk.size))
            offset += chunk.size
    body = json.dumps({"manifest": manifest.to_json(), "signature": sign_manifest(manifest, key)}).encode()
    status = transfer.control("POST", "/v1/sessions", body)
    session_id = str(status["session_id"])
    done_before = int(status["received_bytes"])
    total = int(status["total_bytes"])
    for _round in range(5):
        missing = [sha for sha in status["missing"] if sha in where]
        if len(missing) != len(status["missing"]):
            raise TransferError("receiver asks for chunks that are not in the manifest")
        if missing:
            transfer.run(
                session_id,
                [(sha, *where[sha]) for sha in missing],
                streams=streams,
                max_streams=max_streams,
                progress=progress,
                done_before=done_before,
                total=total,
                started=started,
            )
        try:
            transfer.control("POST", f"/v1/sessions/{session_id}/commit", b"")
        except _Incomplete:
            status = transfer.control("GET", f"/v1/sessions/{session_id}", None)
            continue
        break
    else:
        raise TransferError("receiver still reports missing chunks after five rounds")
    final = transfer.control("GET", f"/v1/sessions/{session_id}", None)
    seconds = max(time.monotonic() - started, 1e-9)
    if progress is not None:
        progress(Progress(total, total, seconds, transfer.bytes_sent * 8 / seconds / 1e6, 0.0, transfer.streams_used))
    return Summary(
        bytes=transfer.bytes_sent,
        seconds=seconds,
        mbps=transfer.bytes_sent * 8 / seconds / 1e6,
        chunks_sent=transfer.chunks_sent,
        chunks_resent=int(final.get("chunks_resent", transfer.chunks_retried)),
        streams_used=transfer.streams_used,
        wire_bytes=transfer.wire_bytes,
        total_bytes=manifest.total_bytes,
        files=len(manifest.files),
    )


class _Incomplete(Exception):
    pass


_Job = tuple[str, Path, str, int, int]  # sha256, source file, manifest path, offset, size


class _Transfer:
    def __init__(
        self,
        *,
        base_url: str,
        auth: AuthHook,
        congestion: str | None,
        pacing_mbit: float | None,
        compression: bool,
        patience: float,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransferError(f"receiver URL must be http(s)://HOST[:PORT]: {base_url}")
        self.base_url = base_url
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.auth = auth
        self.congestion = congestion
        self.pacing_mbit = pacing_mbit
        self.compression = compression
        self.patience = patience
        self.lock = threading.Lock()
        self.bytes_sent = 0
        self.wire_bytes = 0
        self.chunks_sent = 0
        self.chunks_retried = 0
        self.streams_used = 0
        self.compressible: dict[str, bool] = {}
        self.last_progress = time.monotonic()
        self.live: set[_TunedConnection] = set()
        self.closed_acked = 0  # TCP-acknowledged bytes of connections already closed
        self.effective_congestion: str | None = None  # what the kernel gave the last socket

    def stream_limits(self, max_streams: int | None) -> tuple[int, int]:
        """(initial, cap) of the adaptive stream count for the congestion control the sockets got."""
        if self.effective_congestion == "bbr":
            initial, cap = INITIAL_STREAMS_BBR, MAX_STREAMS_BBR
        else:
            initial, cap = INITIAL_STREAMS, MAX_STREAMS
        if max_streams is not None:
            cap = max_streams
        return max(1, min(initial, cap)), max(1, cap)

    def path_full(self) -> bool:
        """True when the live streams see a standing queue: smoothed RTT well above the minimum RTT."""
        with self.lock:
            live = list(self.live)
        samples = [sample for conn in live if (sample := conn.rtts()) is not None]
        if not samples:
            return False
        srtt = sum(s for s, _m in samples) / len(samples)
        min_rtt = min(m for _s, m in samples)
        return srtt - min_rtt > max(QUEUE_FULL_FRACTION * min_rtt, QUEUE_FULL_FLOOR)

    def acked(self) -> int:
        """Bytes the receiver's TCP has acknowledged on all streams: the stream-count controller's meter.

        Finer than whole chunks (a 4 MiB chunk is seconds on a slow stream) and, unlike bytes
        handed to the socket, not inflated by a new connection filling its send buffer.
        """
        with self.lock:
            live = list(self.live)
            total = self.closed_acked
        return total + sum(conn.bytes_acked() for conn in live)

    # -- one connection ---------------------------------------------------------------------

    def pacing_for(self, streams: int) -> int | None:
        """Bytes per second for one of ``streams`` sockets sharing the pacing rate (None: no pacing)."""
        return None if self.pacing_mbit is None else int(self.pacing_mbit * 1e6 / 8 / max(streams, 1))

    def connect(self, streams: int) -> http.client.HTTPConnection:
        return _TunedConnection(self, self.pacing_for(streams))

    def request(
        self, conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        full = self.prefix + path
        signed = self.auth(method, self.base_url + path, body or b"")
        conn.request(method, full, body=body, headers={**headers, **signed})
        response = conn.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"error": raw[:200].decode("utf-8", "replace")}
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status, payload if isinstance(payload, dict) else {}

    def put_chunk(self, conn: _TunedConnection, path: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Write one chunk request on ``conn`` without waiting for the answer (read it with ``read_reply``)."""
        signed = self.auth("PUT", self.base_url + path, body)
        conn.send_request("PUT", self.prefix + path, body, {**headers, **signed})

    def control(self, method: str, path: str, body: bytes | None) -> dict[str, Any]:
        """A session request, retried with backoff while the receiver is unreachable or busy."""
        delay = _BACKOFF_FIRST
        deadline = time.monotonic() + self.patience
        last = ""
        while True:
            conn = self.connect(1)
            try:
                status, payload = self.request(conn, method, path, body, {"Content-Type": "application/json"})
            except (OSError, http.client.HTTPException) as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if status == 409 and path.endswith("/commit"):
                    raise _Incomplete()
                if status < 300:
                    return payload
                if status not in _RETRYABLE:
                    raise TransferError(f"receiver refused ({status}): {payload.get('error', 'no reason given')}")
                last = f"HTTP {status}: {payload.get('error', '')}"
            finally:
                conn.close()
            if time.monotonic() + delay > deadline:
                raise TransferError(f"receiver unreachable for {self.patience:.0f} s ({last})")
            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy
            delay = min(delay * 2, _BACKOFF_CAP)

    # -- the parallel part ------------------------------------------------------------------

    def run(
        self,
        session_id: str,
        jobs: list[_Job],
        *,
        streams: int | None,
        max_streams: int | None,
        progress: Callable[[Progress], None] | None,
        done_before: int,
        total: int,
        started: float,
    ) -> None:
        work: queue.Queue[_Job] = queue.Queue()
        for job in jobs:
            work.put(job)
        remaining = [len(jobs)]
        acked = [0]
        failure: list[TransferError] = []
        finished = threading.Event()
        threads: list[threading.Thread] = []
        initial, cap = self.stream_limits(max_streams)
        target = [streams if streams is not None else initial]

        def worker(index: int) -> None:
            conn = _TunedConnection(self, self.pacing_for(target[0]))
            inflight: deque[_Job] = deque()  # sent on this connection, answer not yet read (oldest first)
            delay = _BACKOFF_FIRST
            depth = 1  # PIPELINE_DEPTH once this connection has shown that the receiver keeps it open

            def requeue_inflight() -> None:
                while inflight:
                    work.put(inflight.popleft())
                    with self.lock:
                        self.chunks_retried += 1

            try:
                while not finished.is_set():
                    retired = index >= target[0]  # more streams did not pay: finish what is in flight, then stop
                    if retired and not inflight:
                        return
                    try:
                        # The next chunk goes out before the last one's answer is read, so the
                        # connection does not idle for a round trip between chunks.
                        while not retired and len(inflight) < depth:
                            try:
                                job = work.get_nowait() if inflight else work.get(timeout=0.1)
                            except queue.Empty:
                                break
                            sha, source, manifest_path, offset, size = job
                            conn.repace(self.pacing_for(target[0]))  # streams were added: share the rate anew
                            data = _read_chunk(source, offset, size, sha)
                            body, encoding = self._encode(manifest_path, data)
                            headers = {"Content-Type": "application/octet-stream"}
                            if encoding:
                                headers["Content-Encoding"] = encoding
                            inflight.append(job)
                            self.put_chunk(conn, f"/v1/sessions/{session_id}/chunks/{sha}", body, headers)
                            with self.lock:
                                self.wire_bytes += len(body)
                        if not inflight:
                            continue
                        status, payload, keep_alive = conn.read_reply()
                    except TransferError as exc:
                        failure.append(exc)
                        finished.set()
                        return
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        requeue_inflight()
                        with self.lock:
                            stalled = time.monotonic() - self.last_progress
                        if stalled > self.patience:
                            failure.append(TransferError(f"receiver unreachable for {self.patience:.0f} s"))
                            finished.set()
                            return
                        time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy
                        delay = min(delay * 2, _BACKOFF_CAP)
                        conn = _TunedConnection(self, self.pacing_for(target[0]))
                        continue
                    job = inflight.popleft()
                    if keep_alive:
                        depth = PIPELINE_DEPTH
                    else:
                        conn.close()  # the receiver ends the connection: what was queued behind is lost
                        requeue_inflight()
                        depth = 1
                        conn = _TunedConnection(self, self.pacing_for(target[0]))
                    sha, _source, _path, _offset, size = job
                    if status in (200, 201):
                        delay = _BACKOFF_FIRST
                        with self.lock:
                            self.bytes_sent += size
                            self.chunks_sent += 1
                            self.last_progress = time.monotonic()
                            acked[0] += size
                            remaining[0] -= 1
                            if remaining[0] == 0:
                                finished.set()
                    elif status == 422 or status in _RETRYABLE:
                        with self.lock:
                            self.chunks_retried += 1
                        work.put(job)
                        if status != 422:
                            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311
                            delay = min(delay * 2, _BACKOFF_CAP)
                    else:
                        failure.append(
                            TransferError(f"receiver refused ({status}): {payload.get('error', 'no reason given')}")
                        )
                        finished.set()
                        return
            finally:
                conn.close()

        def start(count: int) -> None:
            for _ in range(count):
                index = len(threads)
                thread = threading.Thread(target=worker, args=(index,), daemon=True, name=f"transfer-stream-{index}")
                threads.append(thread)
                thread.start()
            self.streams_used = max(self.streams_used, len(threads))

        start(min(target[0], len(jobs)))
        adaptive = streams is None
        best_rate = 0.0
        previous = target[0]
        settle_until = time.monotonic() + ADAPT_SETTLE  # let new streams start before measuring them
        window_start: float | None = None
        window_bytes = 0
        last_report = 0.0
        while not finished.wait(0.2):
            now = time.monotonic()
            with self.lock:
                done = acked[0]
                pending = remaining[0]
            if progress is not None and now - last_report >= 0.5:
                last_report = now
                elapsed = now - started
                rate = done / max(elapsed, 1e-9)
                left = total - done_before - done
                progress(
                    Progress(
                        done_before + done,
                        total,
                        elapsed,
                        rate * 8 / 1e6,
                        left / rate if rate > 0 else None,
                        target[0],
                    )
                )
            if adaptive and window_start is None and now >= settle_until:
                window_start, window_bytes = now, self.acked()
            elif adaptive and window_start is not None and now - window_start >= ADAPT_INTERVAL:
                streamed = self.acked()
                rate = (streamed - window_bytes) / (now - window_start)
                if rate >= best_rate * (1 + ADAPT_MIN_GAIN):
                    best_rate, previous = rate, target[0]
                    grow = min(target[0], cap - target[0], max(pending - target[0], 0))
                    if self.path_full():
                        grow = 0  # a queue stands at the bottleneck: more streams would only lengthen it
                    if grow > 0:
                        target[0] += grow
                        start(grow)
                    else:
                        adaptive = False
                else:
                    target[0] = previous  # the last doubling did not pay: retire the streams it added
                    adaptive = False
                settle_until, window_start = now + ADAPT_SETTLE, None
        for thread in threads:
            thread.join(timeout=5)
        if failure:
            raise failure[0]

    def _encode(self, manifest_path: str, data: bytes) -> tuple[bytes, str | None]:
        if not self.compression or self.compressible.get(manifest_path) is False or not data:
            return data, None
        compressed = _compressor().compress(data)
        pays = len(compressed) <= len(data) * (1 - COMPRESSION_MIN_SAVING)
        with self.lock:
            self.compressible.setdefault(manifest_path, pays)
        return (compressed, "zstd") if pays else (data, None)


_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    compressor: zstandard.ZstdCompressor | None = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL)
        _local.compressor = compressor
    return compressor


def compression_saving(data: bytes, *, level: int = COMPRESSION_LEVEL) -> float:
    """Fraction of ``data``'s size zstd at ``level`` saves (0.25 = a quarter smaller)."""
    if not data:
        return 0.0
    return 1 - len(zstandard.ZstdCompressor(level=level).compress(data)) / len(data)


def _read_chunk(source: Path, offset: int, size: int, sha256: str) -> bytes:
    try:
        with source.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(size)
    except OSError as exc:
        raise TransferError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
        raise TransferError(f"{source} changed while it was being sent")
    return data


def tuned_socket(
    host: str, port: int, timeout: float | None, congestion: str | None, pacing: int | None
) -> socket.socket:
    """A connected TCP socket that asked for ``congestion`` and ``pacing`` (bytes/s) before connecting."""
    last: OSError | None = None
    for family, kind, proto, _name, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if congestion and hasattr(socket, "TCP_CONGESTION"):
                # Not offered by this kernel: keep its default, as promised ("quiet fallback").
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, congestion.encode())
            if pacing:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, pacing)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last if last is not None else OSError(f"cannot resolve {host}")


class _TunedConnection(http.client.HTTPConnection):
    def __init__(self, transfer: _Transfer, pacing: int | None) -> None:
        super().__init__(transfer.host, transfer.port, timeout=120)
        self._transfer = transfer
        self._pacing = pacing
        self._reader: _KeptReader | None = None

    def bytes_acked(self) -> int:
        sock = self.sock
        if sock is None or not hasattr(socket, "TCP_INFO"):
            return 0
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        except OSError:
            return 0
        if len(info) < _TCP_INFO_BYTES_ACKED + 8:
            return 0
        value: int = struct.unpack_from("=Q", info, _TCP_INFO_BYTES_ACKED)[0]
        return value

    def rtts(self) -> tuple[float, float] | None:
        """(smoothed RTT, minimum RTT) in seconds from TCP_INFO, or None before any sample."""
        sock = self.sock
        if sock is None or not hasattr(socket, "TCP_INFO"):
            return None
        try:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        except OSError:
            return None
        if len(info) < _TCP_INFO_MIN_RTT + 4:
            return None
        srtt: int = struct.unpack_from("=I", info, _TCP_INFO_RTT)[0]
        min_rtt: int = struct.unpack_from("=I", info, _TCP_INFO_MIN_RTT)[0]
        if srtt == 0 or min_rtt in (0, 0xFFFFFFFF):
            return None
        return srtt / 1e6, min_rtt / 1e6

    def close(self) -> None:
        acked = self.bytes_acked()
        with self._transfer.lock:
            if self in self._transfer.live:
                self._transfer.live.discard(self)
                self._transfer.closed_acked += acked
        if self._reader is not None:
            self._reader.release()
            self._reader = None
        super().close()

    def send_request(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Write a whole request; answers are read in order by :meth:`read_reply` (HTTP/1.1 pipelining)."""
        if self.sock is None:
            self.connect()
        assert self.sock is not None
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self._transfer.scheme == "https" else 80
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {host}" if self.port == default_port else f"Host: {host}:{self.port}",
            "Accept-Encoding: identity",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.sock.sendall(body)

    def read_reply(self) -> tuple[int, dict[str, Any], bool]:
        """The oldest unanswered request's (status, JSON body, whether the connection stays open)."""
        if self.sock is None:
            raise http.client.NotConnected()
        if self._reader is None:
            self._reader = _KeptReader(socket.SocketIO(self.sock, "rb"))
        response = http.client.HTTPResponse(_ReaderSocket(self._reader), method="PUT")  # type: ignore[arg-type]
        response.begin()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"error": raw[:200].decode("utf-8", "replace")}
        return response.status, payload if isinstance(payload, dict) else {}, not response.will_close

    def repace(self, pacing: int | None) -> None:
        """Change the socket's pacing cap (takes effect at once on a connected socket)."""
        if pacing is None or pacing == self._pacing:
            return
        self._pacing = pacing
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, pacing)

    def connect(self) -> None:
        sock = tuned_socket(self.host, self.port, self.timeout, self._transfer.congestion, self._pacing)
        if self._transfer.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock
        with self._transfer.lock:
            self._transfer.live.add(self)
            self._transfer.effective_congestion = _congestion_of(sock)


def _congestion_of(sock: socket.socket) -> str | None:
    """The congestion control the kernel runs on ``sock`` (None where it cannot be read)."""
    if not hasattr(socket, "TCP_CONGESTION"):
        return None
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
    except OSError:
        return None
    return raw.split(b"\x00", 1)[0].decode("ascii", "replace") or None


class _KeptReader(io.BufferedReader):
    """A socket's buffered reader shared by successive responses: their ``close()`` must not end it."""

    def close(self) -> None:
        pass

    def release(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().close()


class _ReaderSocket:
    """What :class:`http.client.HTTPResponse` needs of a socket: the one shared reader."""

    def __init__(self, reader: _KeptReader) -> None:
        self._reader = reader

    def makefile(self, mode: str) -> _KeptReader:
        return self._reader
