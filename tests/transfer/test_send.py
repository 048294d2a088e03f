"""Sender and receiver over loopback HTTP: round trip, dedup, refusals, corruption in flight, compression."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import httpx
import pydicom.data
import pytest

from huizhen.transfer import ReceiverCore, TransferError, build_manifest, send, sign_manifest
from huizhen.transfer.sender import COMPRESSION_MIN_SAVING, Progress, compression_saving, tuned_socket
from tests.transfer.loopback import KEY, TOKEN, CountingCore, files_under, make_tree, random_bytes, receiver

CHUNK = 4096


def test_a_directory_tree_with_empty_files_arrives_whole(tmp_path: Path) -> None:
    study = make_tree(tmp_path / "src", files=40)
    reports: list[Progress] = []

    with receiver(tmp_path / "dst") as server:
        summary = send([study], server.url, token=TOKEN, chunk_size=CHUNK, streams=3, progress=reports.append)

    assert files_under(tmp_path / "dst") == files_under(tmp_path / "src")
    assert summary.files == 41
    assert summary.chunks_resent == 0
    assert summary.streams_used == 3
    assert reports[-1].fraction == 1.0


def test_a_second_send_of_the_same_data_sends_no_chunks(tmp_path: Path) -> None:
    study = make_tree(tmp_path / "src", files=10)

    with receiver(tmp_path / "dst") as server:
        first = send([study], server.url, token=TOKEN, chunk_size=CHUNK)
        second = send([study], server.url, token=TOKEN, chunk_size=CHUNK)

    assert first.chunks_sent > 0
    assert (second.chunks_sent, second.bytes) == (0, 0)
    assert files_under(tmp_path / "dst") == files_under(tmp_path / "src")


def test_a_file_sharing_chunks_with_a_held_file_sends_only_the_new_chunks(tmp_path: Path) -> None:
    shared = random_bytes(5 * CHUNK, seed=11)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.bin").write_bytes(shared)
    (tmp_path / "two" / "b.bin").write_bytes(shared + random_bytes(2 * CHUNK, seed=12))

    with receiver(tmp_path / "dst") as server:
        send([tmp_path / "one" / "a.bin"], server.url, token=TOKEN, chunk_size=CHUNK)
        summary = send([tmp_path / "two" / "b.bin"], server.url, token=TOKEN, chunk_size=CHUNK)

    assert summary.chunks_sent == 2
    assert (tmp_path / "dst" / "b.bin").read_bytes() == (tmp_path / "two" / "b.bin").read_bytes()


def test_a_wrong_token_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"data")

    with receiver(tmp_path / "dst") as server, pytest.raises(TransferError, match="401"):
        send([tmp_path / "a"], server.url, token="not-the-token", key=KEY, chunk_size=CHUNK)

    assert files_under(tmp_path / "dst") == {}


def test_a_manifest_signed_with_another_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"data")

    with receiver(tmp_path / "dst") as server, pytest.raises(TransferError, match="403"):
        send([tmp_path / "a"], server.url, token=TOKEN, key=b"some other key", chunk_size=CHUNK)


def test_a_transfer_over_the_quota_is_refused_before_any_chunk_is_sent(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(3 * CHUNK, seed=13))
    core = CountingCore(tmp_path / "dst", key=KEY, max_total_bytes=2 * CHUNK)

    with receiver(tmp_path / "dst", core) as server, pytest.raises(TransferError, match="413"):
        send([tmp_path / "a"], server.url, token=TOKEN, chunk_size=CHUNK)

    assert core.puts == 0


def test_a_chunk_corrupted_in_flight_is_detected_and_sent_again(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(6 * CHUNK, seed=14))
    core = CountingCore(tmp_path / "dst", key=KEY, corrupt_first=2)

    with receiver(tmp_path / "dst", core) as server:
        summary = send([tmp_path / "a"], server.url, token=TOKEN, chunk_size=CHUNK, streams=2)

    assert len(core.corrupted) == 2
    assert summary.chunks_resent == 2
    assert core.puts == 6 + 2
    assert (tmp_path / "dst" / "a").read_bytes() == (tmp_path / "a").read_bytes()


def test_uncompressed_dicom_travels_compressed_and_random_data_does_not(tmp_path: Path) -> None:
    ct = Path(pydicom.data.get_testdata_file("CT_small.dcm"))  # uncompressed CT, 16-bit pixels
    shutil.copy(ct, tmp_path / "ct.dcm")
    (tmp_path / "noise.bin").write_bytes(random_bytes(ct.stat().st_size, seed=15))

    with receiver(tmp_path / "dst") as server:
        dicom = send([tmp_path / "ct.dcm"], server.url, token=TOKEN, chunk_size=65536)
        noise = send([tmp_path / "noise.bin"], server.url, token=TOKEN, chunk_size=65536)

    assert dicom.wire_bytes <= dicom.bytes * (1 - COMPRESSION_MIN_SAVING)
    assert noise.wire_bytes == noise.bytes
    assert compression_saving(ct.read_bytes()) > 0.25
    assert compression_saving(random_bytes(40_000, seed=16)) < 0.01
    assert (tmp_path / "dst" / "ct.dcm").read_bytes() == ct.read_bytes()


def test_an_unreachable_receiver_fails_after_the_patience_runs_out(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"data")
    server_dir = tmp_path / "dst"
    with receiver(server_dir, ReceiverCore(server_dir, key=KEY)) as server:
        url = server.url  # then closed: nothing listens there any more

    with pytest.raises(TransferError, match="unreachable"):
        send([tmp_path / "a"], url, token=TOKEN, chunk_size=CHUNK, patience=0.5)


def test_a_chunk_in_an_unknown_encoding_is_refused_with_415(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(CHUNK, seed=17))
    manifest = build_manifest([tmp_path / "a"], chunk_size=CHUNK)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    with receiver(tmp_path / "dst") as server:
        opened = httpx.post(
            f"{server.url}/v1/sessions",
            json={"manifest": manifest.to_json(), "signature": sign_manifest(manifest, KEY)},
            headers=headers,
        ).json()
        response = httpx.put(
            f"{server.url}/v1/sessions/{opened['session_id']}/chunks/{opened['missing'][0]}",
            content=(tmp_path / "a").read_bytes(),
            headers={**headers, "Content-Encoding": "gzip"},
        )

    assert response.status_code == 415


def test_each_socket_asks_for_the_congestion_control_and_falls_back_quietly(tmp_path: Path) -> None:
    with receiver(tmp_path / "dst") as server:
        host, port = server.server_address[:2]
        with tuned_socket(str(host), int(port), 5, "reno", 1_000_000) as sock:
            chosen = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\x00")
        with tuned_socket(str(host), int(port), 5, "no-such-algorithm", None) as fallback:
            default = fallback.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\x00")

    available = Path("/proc/sys/net/ipv4/tcp_available_congestion_control").read_text().split()
    assert chosen == b"reno" or "reno" not in available
    assert default.decode() == Path("/proc/sys/net/ipv4/tcp_congestion_control").read_text().strip()


def test_adaptive_streams_grow_while_throughput_grows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("huizhen.transfer.sender.ADAPT_INTERVAL", 0.3)
    monkeypatch.setattr("huizhen.transfer.sender.ADAPT_SETTLE", 0.1)
    (tmp_path / "a").write_bytes(random_bytes(150 * CHUNK, seed=18))
    core = CountingCore(tmp_path / "dst", key=KEY, delay=0.04)  # a per-request latency: more streams, more rate

    with receiver(tmp_path / "dst", core) as server:
        summary = send([tmp_path / "a"], server.url, token=TOKEN, chunk_size=CHUNK, congestion="cubic")

    assert summary.streams_used > 4  # CUBIC: up to 48 (under BBR the cap is 4)
    assert (tmp_path / "dst" / "a").read_bytes() == (tmp_path / "a").read_bytes()
