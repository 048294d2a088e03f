"""UID pseudonyms: 2.25 root, keyed, consistent, registry UIDs kept."""

from __future__ import annotations

import hashlib
import hmac

from pydicom.uid import UID

from huizhen.deid.dicom.uids import remap_uid, uid_for

KEY = b"node-secret"


def test_uid_is_the_first_128_bits_of_the_keyed_hash_under_2_25() -> None:
    digest = hmac.new(KEY, b"1.2.3.4", hashlib.sha256).digest()
    assert uid_for("1.2.3.4", key=KEY) == f"2.25.{int.from_bytes(digest[:16], 'big')}"


def test_same_uid_and_key_give_the_same_pseudonym() -> None:
    assert uid_for("1.2.3.4", key=KEY) == uid_for("1.2.3.4", key=KEY)


def test_another_key_gives_another_pseudonym() -> None:
    assert uid_for("1.2.3.4", key=KEY) != uid_for("1.2.3.4", key=b"other node")


def test_pseudonyms_are_valid_dicom_uids() -> None:
    for original in ("1.2.3", "1.2.840.113619.2.55.3.604688119.969.1268071029.320", "9" * 64):
        new = UID(uid_for(original, key=KEY))
        assert new.is_valid
        assert len(new) <= 64


def test_padding_does_not_change_the_pseudonym() -> None:
    assert uid_for("1.2.3.4\x00", key=KEY) == uid_for("1.2.3.4", key=KEY)


def test_registry_uids_are_kept() -> None:
    assert remap_uid("1.2.840.10008.1.2.1", key=KEY) == "1.2.840.10008.1.2.1"
    assert remap_uid("1.2.840.10008.5.1.4.1.1.2", key=KEY) == "1.2.840.10008.5.1.4.1.1.2"
    assert remap_uid("1.2.3.4", key=KEY).startswith("2.25.")
