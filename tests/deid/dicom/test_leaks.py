"""Byte-level leak test: no planted identifier, in any encoding, in any output file or path.

The PHI-planted corpus of :mod:`huizhen.deid.dicom.synthetic` is de-identified through the
real pipeline; then the raw bytes of every exported and quarantined file (outside the pixel
payload, which is copied unchanged from the input and holds no planted text) are searched
for each planted value encoded as UTF-8, GB18030, GBK, UTF-16-LE/BE, Latin-1, ASCII upper and
lower case, as planted (e.g. ISO 2022 IR 58 with its escapes), and for date-times also the
YYYYMMDD date alone. Paths are searched for the values as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pydicom
import pytest

from huizhen.deid.dicom.pipeline import deidentify_paths
from huizhen.deid.dicom.synthetic import Plant, PlantedPHI

KEY = b"leak-test-key-0123456789abcdefghij"
CODECS = ("utf-8", "gb18030", "gbk", "utf-16-le", "utf-16-be", "latin-1")
# Shorter byte strings would match by chance in binary header values.
MIN_NEEDLE = 4


def texts_of(plant: Plant) -> set[str]:
    texts = {plant.value}
    if plant.kind in ("patient-name", "person-name"):
        for group in plant.value.split("="):
            texts.add(group)
            texts.add(group.replace("^", " ").strip())
            texts.update(component for component in group.split("^") if len(component) >= 2)
    if plant.kind == "datetime" and len(plant.value) >= 8:
        texts.add(plant.value[:8])
    return {text for text in texts if text}


def needles_of(plant: Plant) -> set[bytes]:
    found = {plant.encoded}
    for text in texts_of(plant):
        variants = {text, text.upper(), text.lower()}
        for variant in variants:
            for codec in CODECS:
                try:
                    found.add(variant.encode(codec))
                except UnicodeEncodeError:
                    continue
    return {needle for needle in found if len(needle) >= MIN_NEEDLE}


def header_bytes(path: Path) -> bytes:
    """The file without its pixel payload (byte-identical to the input's, checked elsewhere)."""
    data = path.read_bytes()
    ds = pydicom.dcmread(path)
    if "PixelData" in ds:
        data = data.replace(bytes(ds.PixelData), b"")
    return data


def outputs(*roots: Path) -> Iterator[tuple[str, Path]]:
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path.relative_to(root).as_posix(), path


def shifted_coincidences(plants: list[Plant], vault: Path) -> set[str]:
    """Planted dates that some patient's shift maps another planted date onto (chance, not leak)."""
    with sqlite3.connect(vault) as db:
        shifts = [int(row[0]) for row in db.execute("SELECT days FROM date_shift")]
    planted = {p.value[:8] for p in plants if p.kind in ("date", "datetime") and p.value[:8].isdigit()}
    coincident: set[str] = set()
    for value in planted:
        try:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            continue
        for shift in shifts:
            coincident.add((day + timedelta(days=shift)).strftime("%Y%m%d"))
    return coincident & planted


@pytest.fixture(scope="module")
def deidentified(
    phi_corpus: tuple[Path, PlantedPHI], tmp_path_factory: pytest.TempPathFactory
) -> tuple[PlantedPHI, Path, Path, Path]:
    root, phi = phi_corpus
    work = tmp_path_factory.mktemp("leaks")
    out, held, vault = work / "out", work / "held", work / "vault.sqlite3"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY, vault_path=vault, workers=2, quarantine_dir=held)
    assert report.count("deidentified") > 0
    assert report.count("quarantined") > 0
    assert report.count("rejected") == 0, [row for row in report.files if row.status == "rejected"]
    return phi, out, held, vault


def test_no_planted_identifier_in_any_encoding_in_any_output_file(
    deidentified: tuple[PlantedPHI, Path, Path, Path],
) -> None:
    phi, out, held, vault = deidentified
    removable = [plant for plant in phi.plants if plant.expected_removed]
    chance = shifted_coincidences(removable, vault)
    contents = [(relative, header_bytes(path)) for relative, path in outputs(out, held)]
    assert len(contents) == len(phi.files)
    leaks: dict[str, str] = {}
    for plant in removable:
        if plant.kind in ("date", "datetime") and plant.value[:8] in chance:
            continue
        for needle in needles_of(plant):
            for relative, data in contents:
                if needle in data:
                    leaks.setdefault(f"{plant.kind} {plant.attribute} {needle!r}", relative)
                    break
    assert not leaks, f"{len(leaks)} leaks, e.g. {sorted(leaks.items())[:10]}"


def test_no_planted_identifier_in_any_output_path(deidentified: tuple[PlantedPHI, Path, Path, Path]) -> None:
    phi, out, held, _ = deidentified
    paths = "\n".join(relative for relative, _ in outputs(out, held))
    for plant in phi.plants:
        if not plant.expected_removed:
            continue
        for text in texts_of(plant):
            if len(text) >= 2:
                assert text not in paths, plant
                assert text.lower() not in paths.lower(), plant


def test_the_corpus_really_plants_what_the_leak_test_looks_for(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    """Guard against a vacuous pass: the needles are found in the input files."""
    root, phi = phi_corpus
    blob = b"".join(path.read_bytes() for path in root.rglob("*.dcm"))
    header_plants = [plant for plant in phi.plants if plant.expected_removed and plant.attribute != "<path>"]
    assert len(header_plants) > 1000
    missing = [plant for plant in header_plants if plant.encoded not in blob]
    assert not missing[:5]
