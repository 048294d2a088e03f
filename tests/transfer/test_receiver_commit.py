"""The commit's durability: one fsync per assembled file, then one per directory the files were renamed into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from huizhen.transfer import ReceiverCore, build_manifest
from tests.transfer.loopback import KEY, files_under, random_bytes
from tests.transfer.test_receiver import opened, put_all


def test_commit_syncs_each_file_once_and_each_target_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "src"
    (source / "series").mkdir(parents=True)
    (source / "series" / "a").write_bytes(random_bytes(9000, seed=7))
    (source / "series" / "b").write_bytes(random_bytes(100, seed=8))
    (source / "c").write_bytes(random_bytes(5000, seed=9))
    manifest = build_manifest([source / "series", source / "c"], chunk_size=4096)
    destination = tmp_path / "dst"
    core = ReceiverCore(destination, key=KEY)
    session_id = opened(core, manifest)
    put_all(core, session_id, source, manifest)
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    core.commit(session_id)

    assert files_under(destination) == {
        "series/a": (source / "series" / "a").read_bytes(),
        "series/b": (source / "series" / "b").read_bytes(),
        "c": (source / "c").read_bytes(),
    }
    files = [path for path in synced if path.endswith(".part")]
    directories = [path for path in synced if not path.endswith(".part")]
    assert len(files) == 3
    assert sorted(directories) == sorted({str(destination.resolve()), str((destination / "series").resolve())})
