"""Shared fixtures for the DICOM de-identification tests: a PHI-planted corpus and a small CT series.

Both come from :mod:`huizhen.deid.dicom.synthetic`, generated once per session into a
temporary directory; tests must copy before modifying them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huizhen.deid.dicom.synthetic import PlantedPHI, generate_ct_series, generate_phi_corpus


@pytest.fixture(scope="session")
def phi_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PlantedPHI]:
    """A corpus of 4 patients (one per Chinese character set), read-only: (root, what was planted)."""
    root = tmp_path_factory.mktemp("phi-corpus")
    return root, generate_phi_corpus(root, seed=5, n_patients=4)


@pytest.fixture(scope="session")
def ct_series_small(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """8 slices of 64 x 64, explicit VR little endian, with the header of a real CT, read-only."""
    return generate_ct_series(tmp_path_factory.mktemp("ct-small"), slices=8, rows=64, cols=64, seed=400)
