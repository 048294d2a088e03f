"""The receiver core: sessions, chunk checks, limits, verified atomic commits, resume from disk, disk full."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard

from huizhen.transfer import (
    IncompleteError,
    LimitError,
    ManifestError,
    ReceiverCore,
    SignatureError,
    StorageError,
    build_manifest,
    sign_manifest,
)
from huizhen.transfer.manifest import FileEntry, Manifest
from tests.transfer.loopback import KEY, files_under, random_bytes


def opened(core: ReceiverCore, manifest: Manifest) -> str:
    return core.open_session(manifest.to_json(), sign_manifest(manifest, KEY)).session_id


def put_all(core: ReceiverCore, session_id: str, source: Path, manifest: Manifest) -> None:
    for entry in manifest.files:
        data = (source / entry.path).read_bytes()
        offset = 0
        for chunk in entry.chunks:
            assert core.put_chunk(session_id, chunk.sha256, data[offset : offset + chunk.size])
            offset += chunk.size


def test_a_new_session_is_missing_every_distinct_chunk_once(tmp_path: Path) -> None:
    block = random_bytes(4096, seed=1)
    (tmp_path / "a").write_bytes(block * 3)  # three equal chunks: one to send
    manifest = build_manifest([tmp_path / "a"], chunk_size=4096)

    status = ReceiverCore(tmp_path / "dst", key=KEY).open_session(manifest.to_json(), sign_manifest(manifest, KEY))

    assert status.missing == [hashlib.sha256(block).hexdigest()]
    assert (status.received_bytes, status.total_bytes) == (0, 4096)


def test_a_chunk_that_does_not_match_its_hash_is_not_stored(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(5000, seed=2))
    manifest = build_manifest([tmp_path / "a"], chunk_size=4096)
    core = ReceiverCore(tmp_path / "dst", key=KEY)
    session_id = opened(core, manifest)
    sha = manifest.files[0].chunks[0].sha256

    assert core.put_chunk(session_id, sha, b"\x00" * 4096) is False
    assert sha in core.status(session_id).missing


def test_a_zstd_encoded_chunk_is_decoded_before_its_hash_is_checked(tmp_path: Path) -> None:
    data = b"DICM" * 2000
    (tmp_path / "a").write_bytes(data)
    manifest = build_manifest([tmp_path / "a"], chunk_size=8192)
    core = ReceiverCore(tmp_path / "dst", key=KEY)
    session_id = opened(core, manifest)

    stored = core.put_chunk(session_id, manifest.files[0].chunks[0].sha256, zstandard.compress(data), "zstd")

    assert stored
    assert core.status(session_id).missing == []


def test_files_appear_only_at_commit_and_only_whole(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a").write_bytes(random_bytes(9000, seed=4))
    (source / "empty").write_bytes(b"")
    manifest = build_manifest([source / "a", source / "empty"], chunk_size=4096)
    destination = tmp_path / "dst"
    core = ReceiverCore(destination, key=KEY)
    session_id = opened(core, manifest)
    put_all(core, session_id, source, manifest)

    assert files_under(destination) == {}
    core.commit(session_id)

    assert files_under(destination) == {"a": (source / "a").read_bytes(), "empty": b""}


def test_commit_with_chunks_missing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(5000, seed=5))
    manifest = build_manifest([tmp_path / "a"], chunk_size=4096)
    core = ReceiverCore(tmp_path / "dst", key=KEY)

    with pytest.raises(IncompleteError):
        core.commit(opened(core, manifest))


def test_a_restarted_receiver_resumes_the_session_from_disk(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(9000, seed=6))
    manifest = build_manifest([tmp_path / "a"], chunk_size=4096)
    first = ReceiverCore(tmp_path / "dst", key=KEY)
    session_id = opened(first, manifest)
    chunk = manifest.files[0].chunks[0]
    first.put_chunk(session_id, chunk.sha256, (tmp_path / "a").read_bytes()[:4096])

    again = ReceiverCore(tmp_path / "dst", key=KEY).open_session(manifest.to_json(), sign_manifest(manifest, KEY))

    assert again.session_id == session_id
    assert chunk.sha256 not in again.missing
    assert len(again.missing) == 2


def test_a_bad_signature_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x")
    manifest = build_manifest([tmp_path / "a"], chunk_size=4096)

    with pytest.raises(SignatureError):
        ReceiverCore(tmp_path / "dst", key=KEY).open_session(manifest.to_json(), "0" * 64)


def test_a_signed_manifest_with_a_dotdot_path_is_still_refused(tmp_path: Path) -> None:
    manifest = Manifest(chunk_size=4096, files=[FileEntry("../escape", 0, hashlib.sha256(b"").hexdigest(), [])])

    with pytest.raises(ManifestError):
        ReceiverCore(tmp_path / "dst", key=KEY).open_session(manifest.to_json(), sign_manifest(manifest, KEY))


def test_size_limits_are_refused_when_the_session_opens(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(6000, seed=7))
    (tmp_path / "b").write_bytes(random_bytes(3000, seed=8))
    manifest = build_manifest([tmp_path / "a", tmp_path / "b"], chunk_size=4096)

    with pytest.raises(LimitError, match="file a"):
        ReceiverCore(tmp_path / "d1", key=KEY, max_file_bytes=5000).open_session(
            manifest.to_json(), sign_manifest(manifest, KEY)
        )
    with pytest.raises(LimitError, match="9000 bytes"):
        ReceiverCore(tmp_path / "d2", key=KEY, max_total_bytes=8000).open_session(
            manifest.to_json(), sign_manifest(manifest, KEY)
        )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (root only); the test is skipped with the reason where it cannot be mounted."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small disk for the disk-full test")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs (needs root): {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_at_commit_is_a_clear_error_and_nothing_is_committed(tmp_path: Path, small_disk: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "first").write_bytes(random_bytes(300_000, seed=9))
    (source / "second").write_bytes(random_bytes(300_000, seed=10))
    manifest = build_manifest([source / "first", source / "second"], chunk_size=65536)
    core = ReceiverCore(small_disk, key=KEY)
    session_id = opened(core, manifest)
    put_all(core, session_id, source, manifest)  # 600 kB of chunks fit; assembling a second copy does not

    with pytest.raises(StorageError, match="disk full"):
        core.commit(session_id)

    assert files_under(small_disk) == {}
    assert list((small_disk / ".huizhen-transfer" / "tmp").iterdir()) == []
