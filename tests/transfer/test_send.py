"""Sender and receiver over loopback HTTP: round trip, dedup, refusals, corruption in flight, compression."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom.data
import pytest

from huizhen.transfer import ReceiverCore, TransferError, send
from huizhen.transfer.sender import COMPRESSION_MIN_SAVING, Progress, compression_saving
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
