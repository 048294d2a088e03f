"""HTTP/1.1 pipelining of chunk requests: the next chunk leaves before the last one's answer is read."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from huizhen.transfer import ReceiverCore, send
from huizhen.transfer.receiver import _ReceiverHandler
from huizhen.transfer.sender import _Transfer, _TunedConnection
from tests.transfer.loopback import KEY, TOKEN, CountingCore, files_under, make_tree, random_bytes, receiver

CHUNK = 4096


def _answer_two_only_after_both_arrive(listener: socket.socket, seen: list[bytes]) -> None:
    """A server that reads two whole requests before it answers either: only a pipelining client gets answers."""
    conn, _ = listener.accept()
    with conn:
        buffer = b""
        requests = 0
        while requests < 2:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                head, rest = buffer.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                length = next(
                    int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length")
                )
                if len(rest) < length:
                    break
                seen.append(head.split(b"\r\n", 1)[0])
                buffer = rest[length:]
                requests += 1
        for number in (1, 2):
            body = b'{"n": %d}' % number
            conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def test_two_requests_are_in_flight_on_one_connection_and_answered_in_order() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []
    server = threading.Thread(target=_answer_two_only_after_both_arrive, args=(listener, seen), daemon=True)
    server.start()
    port = listener.getsockname()[1]
    transfer = _Transfer(
        base_url=f"http://127.0.0.1:{port}",
        auth=lambda method, url, body: {"Authorization": "Bearer t"},
        congestion=None,
        pacing_mbit=None,
        compression=False,
        patience=1.0,
    )
    conn = _TunedConnection(transfer, None)
    try:
        transfer.put_chunk(conn, "/v1/sessions/s/chunks/a", b"x" * 100_000, {})
        transfer.put_chunk(conn, "/v1/sessions/s/chunks/b", b"y" * 10, {})
        assert conn.read_reply() == (201, {"n": 1}, True)
        assert conn.read_reply() == (201, {"n": 2}, True)
    finally:
        conn.close()
        listener.close()
        server.join(timeout=5)
    assert seen == [b"PUT /v1/sessions/s/chunks/a HTTP/1.1", b"PUT /v1/sessions/s/chunks/b HTTP/1.1"]


class _ClosingHandler(_ReceiverHandler):
    protocol_version = "HTTP/1.0"  # every answer ends its connection


def test_a_receiver_that_closes_every_connection_still_gets_every_chunk_once(tmp_path: Path) -> None:
    study = make_tree(tmp_path / "src", files=12)
    (study / "big.bin").write_bytes(random_bytes(30 * CHUNK, seed=5))
    core = CountingCore(tmp_path / "dst", key=KEY)

    with receiver(tmp_path / "dst", core) as server:
        server.RequestHandlerClass = _ClosingHandler
        summary = send([study], server.url, token=TOKEN, chunk_size=CHUNK, streams=2)

    assert files_under(tmp_path / "dst") == files_under(tmp_path / "src")
    assert summary.chunks_resent == 0
    assert core.puts == summary.chunks_sent


def test_pipelined_streams_deliver_a_many_chunk_file_whole(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(64 * CHUNK + 17, seed=6))
    core = ReceiverCore(tmp_path / "dst", key=KEY)

    with receiver(tmp_path / "dst", core) as server:
        summary = send([tmp_path / "a"], server.url, token=TOKEN, chunk_size=CHUNK, streams=1)

    assert (tmp_path / "dst" / "a").read_bytes() == (tmp_path / "a").read_bytes()
    assert (summary.chunks_sent, summary.chunks_resent) == (65, 0)
