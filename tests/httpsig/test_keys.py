"""Key files, public-key text and fingerprints of a node's Ed25519 identity."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from huizhen.httpsig import keys


def test_generated_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "node_key.pem"
    keys.load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_key_file_is_reused_not_regenerated(tmp_path: Path) -> None:
    path = tmp_path / "node_key.pem"
    first = keys.load_or_create_private_key(path)
    second = keys.load_or_create_private_key(path)
    assert keys.fingerprint(first.public_key()) == keys.fingerprint(second.public_key())


def test_saving_leaves_no_temporary_files_behind(tmp_path: Path) -> None:
    keys.save_private_key(tmp_path / "node_key.pem", keys.generate_private_key())
    assert [p.name for p in tmp_path.iterdir()] == ["node_key.pem"]


def test_key_file_readable_by_group_is_refused_with_chmod_advice(tmp_path: Path) -> None:
    path = tmp_path / "node_key.pem"
    keys.save_private_key(path, keys.generate_private_key())
    os.chmod(path, 0o640)
    with pytest.raises(keys.KeyFileError, match="chmod 600"):
        keys.load_private_key(path)


def test_malformed_key_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "node_key.pem"
    path.write_text("not a key")
    os.chmod(path, 0o600)
    with pytest.raises(keys.KeyFileError, match=str(path)):
        keys.load_or_create_private_key(path)


def test_public_key_round_trips_through_base64() -> None:
    public = keys.generate_private_key().public_key()
    text = keys.public_key_to_b64(public)
    assert keys.fingerprint(keys.public_key_from_b64(text)) == keys.fingerprint(public)


def test_public_key_of_wrong_length_is_rejected() -> None:
    with pytest.raises(keys.KeyFormatError, match="32 bytes"):
        keys.public_key_from_b64("AAAA")


def test_fingerprint_is_sha256_prefix_and_64_hex_digits() -> None:
    fp = keys.fingerprint(keys.generate_private_key().public_key())
    assert fp.startswith("SHA256:")
    assert len(fp) == 7 + 64


def test_fingerprint_is_accepted_in_upper_case_with_separators_and_without_prefix() -> None:
    fp = keys.fingerprint(keys.generate_private_key().public_key())
    digits = fp.removeprefix("SHA256:").upper()
    grouped = ":".join(digits[i : i + 4] for i in range(0, 64, 4))
    assert keys.normalize_fingerprint(grouped) == fp
    assert keys.normalize_fingerprint("sha256:" + digits) == fp


def test_truncated_fingerprint_is_rejected() -> None:
    with pytest.raises(keys.KeyFormatError):
        keys.normalize_fingerprint("SHA256:abcd")
