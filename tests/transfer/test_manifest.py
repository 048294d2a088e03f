"""Manifests: chunking, relative paths, canonical JSON, HMAC signatures, refusals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from huizhen.transfer import ManifestError, SignatureError, build_manifest, sign_manifest, verify_manifest
from huizhen.transfer.manifest import ChunkRef, FileEntry, Manifest
from tests.transfer.loopback import KEY, make_tree, random_bytes


def test_a_directory_is_listed_with_relative_posix_paths_under_its_own_name(tmp_path: Path) -> None:
    study = make_tree(tmp_path, files=6)

    manifest = build_manifest([study], chunk_size=4096)

    paths = [entry.path for entry in manifest.files]
    assert "study/README" in paths
    assert "study/series1/img001.dcm" in paths
    assert all(not path.startswith("/") and ".." not in path for path in paths)


def test_a_file_is_cut_into_chunks_named_by_their_sha256(tmp_path: Path) -> None:
    data = random_bytes(10_000, seed=3)
    (tmp_path / "a.bin").write_bytes(data)

    (entry,) = build_manifest([tmp_path / "a.bin"], chunk_size=4096).files

    assert entry.path == "a.bin"
    assert [chunk.size for chunk in entry.chunks] == [4096, 4096, 1808]
    assert entry.chunks[0].sha256 == hashlib.sha256(data[:4096]).hexdigest()
    assert entry.sha256 == hashlib.sha256(data).hexdigest()


def test_an_empty_file_has_no_chunks_and_the_empty_hash(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")

    (entry,) = build_manifest([tmp_path / "empty"], chunk_size=4096).files

    assert (entry.size, entry.chunks, entry.sha256) == (0, [], hashlib.sha256(b"").hexdigest())


def test_the_manifest_survives_a_json_round_trip(tmp_path: Path) -> None:
    manifest = build_manifest([make_tree(tmp_path)], chunk_size=4096)

    assert Manifest.from_json(manifest.to_json()) == manifest


def test_a_signed_manifest_verifies_and_an_altered_one_does_not(tmp_path: Path) -> None:
    manifest = build_manifest([make_tree(tmp_path, files=3)], chunk_size=4096)
    signature = sign_manifest(manifest, KEY)

    assert verify_manifest(manifest.to_json(), signature, KEY) == manifest
    altered = json.loads(manifest.to_json())
    altered["files"][0]["path"] = "study/other"
    with pytest.raises(SignatureError):
        verify_manifest(json.dumps(altered), signature, KEY)
    with pytest.raises(SignatureError):
        verify_manifest(manifest.to_json(), signature, b"another key")


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b", "C:/x", "a\\b", "./a", "a//b", ""])
def test_a_manifest_path_outside_the_target_is_refused(path: str) -> None:
    manifest = Manifest(chunk_size=4096, files=[FileEntry(path, 0, hashlib.sha256(b"").hexdigest(), [])])

    with pytest.raises(ManifestError):
        Manifest.from_json(manifest.to_json())


def test_a_path_into_the_receivers_state_directory_is_refused() -> None:
    entry = FileEntry(".huizhen-transfer/chunks/x", 0, hashlib.sha256(b"").hexdigest(), [])

    with pytest.raises(ManifestError, match="state directory"):
        Manifest.from_json(Manifest(chunk_size=4096, files=[entry]).to_json())


def test_chunk_sizes_that_do_not_add_up_are_refused() -> None:
    entry = FileEntry("a", 10, "0" * 64, [ChunkRef("1" * 64, 4)])

    with pytest.raises(ManifestError, match="add up"):
        Manifest.from_json(Manifest(chunk_size=4096, files=[entry]).to_json())


def test_a_missing_path_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such file"):
        build_manifest([tmp_path / "absent"], chunk_size=4096)
