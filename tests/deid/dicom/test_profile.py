"""Options: the second-opinion defaults, CLI names, CID 7050 codes and action resolution."""

from __future__ import annotations

import pytest

from huizhen.deid.dicom.profile import Options, action_for
from huizhen.deid.dicom.table import ROWS


def test_defaults_are_the_second_opinion_profile() -> None:
    assert Options().method_codes() == [
        ("113100", "Basic Application Confidentiality Profile"),
        ("113101", "Clean Pixel Data Option"),
        ("113105", "Clean Descriptors Option"),
        ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
        ("113108", "Retain Patient Characteristics Option"),
    ]


def test_names_turn_options_on_and_off_over_the_defaults() -> None:
    options = Options.from_names(["retain-device-identity", "no-clean-descriptors"])
    assert options.retain_device_identity
    assert not options.clean_descriptors
    assert options.retain_longitudinal_modified_dates


def test_basic_turns_every_option_off() -> None:
    assert Options.from_names(["basic"]).method_codes() == [("113100", "Basic Application Confidentiality Profile")]


def test_codes_and_underscored_names_are_accepted() -> None:
    assert Options.from_names(["basic", "113110", "retain_safe_private"]).method_codes()[1:] == [
        ("113110", "Retain UIDs Option"),
        ("113111", "Retain Safe Private Option"),
    ]


def test_unknown_option_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="retain-device-identity"):
        Options.from_names(["retain-everything"])


def test_full_dates_replace_modified_dates() -> None:
    options = Options.from_names(["retain-longitudinal-full-dates"])
    assert not options.retain_longitudinal_modified_dates


def test_basic_profile_action_applies_without_options() -> None:
    assert action_for(ROWS[0x00081010], Options.from_names(["basic"])) == "X/Z/D"  # Station Name


def test_retain_option_overrides_the_basic_profile() -> None:
    assert action_for(ROWS[0x00081010], Options.from_names(["basic", "retain-device-identity"])) == "K"


def test_modified_dates_clean_dates_by_default() -> None:
    assert action_for(ROWS[0x00080020], Options()) == "C"  # Study Date


def test_patient_characteristics_are_kept_by_default() -> None:
    assert action_for(ROWS[0x00101010], Options()) == "K"  # Patient's Age
