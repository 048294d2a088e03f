"""Fuzz the file parser with hypothesis: mutated real files never crash the rewriter.

Bounded (300 examples, no deadline) so it runs in ``make test`` and CI. Each example
flips bytes, inserts or deletes a run, or truncates a real sample; the rewriter must
either write a complete, readable, de-identified file or refuse with a reason.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pydicom
import pydicom.data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huizhen.deid.dicom import DeidContext, MemoryVault, Options
from huizhen.deid.dicom.rewriter import RejectedFile, context_deidentifier, prepare_file, write_atomically

DATA = Path(pydicom.data.__file__).parent / "test_files"
SEEDS = {
    name: (DATA / name).read_bytes()
    for name in ("CT_small.dcm", "MR_small_implicit.dcm", "JPEG2000.dcm", "rtplan.dcm", "ExplVR_BigEndNoMeta.dcm")
}
DEIDENTIFY = context_deidentifier(
    DeidContext(uid_key=b"fuzz-key-0123456789abcdef", vault=MemoryVault(), options=Options())
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    # Headers are where parsers break: bias positions towards the first 2 KiB.
    position = st.one_of(st.integers(0, min(2048, len(data) - 1)), st.integers(0, len(data) - 1))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        at = min(draw(position), len(data) - 1)
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0xFE, 0xE0, 0x7F, 0x41]))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated())
def test_mutated_files_are_rewritten_whole_or_rejected_with_a_reason(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch, "in.dcm")
        source.write_bytes(data)
        target = Path(scratch, "out", "out.dcm")
        try:
            prepared = prepare_file(source, deidentify=DEIDENTIFY)
        except RejectedFile as exc:
            reason = exc.reason
            assert reason
            return
        write_atomically(prepared, target)
        assert [path.name for path in target.parent.iterdir()] == ["out.dcm"]
        assert target.stat().st_size == prepared.size
        assert pydicom.dcmread(target).PatientIdentityRemoved == "YES"
