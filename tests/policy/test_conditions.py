"""The condition language of rule packs: each form, the unknown-fact semantics, and load-time checks."""

from __future__ import annotations

from typing import Any

import pytest

from huizhen.policy.conditions import ConditionError, compile_condition

FACTS: dict[str, Any] = {
    "action": "export",
    "data": {"classes": ["imaging", "genetic_variants"], "identified": True, "deid_standard": None},
    "subject": {"country": "CN"},
    "volume": {"individuals_exported_this_year": 9000},
    "destination_country": "US",
}


def holds(spec: Any) -> bool:
    return compile_condition(spec).holds(FACTS)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"path": "data.identified", "eq": True}, True),
        ({"path": "action", "ne": "view"}, True),
        ({"path": "action", "in": ["export", "message"]}, True),
        ({"path": "action", "not_in": ["export"]}, False),
        ({"path": "volume.individuals_exported_this_year", "gte": 9000}, True),
        ({"path": "volume.individuals_exported_this_year", "gt": 9000}, False),
        ({"path": "volume.individuals_exported_this_year", "lt": 10000}, True),
        ({"path": "volume.individuals_exported_this_year", "lte": 8999}, False),
        ({"path": "data.classes", "contains": "imaging"}, True),
        ({"path": "data.classes", "contains_any": ["genetic_raw_sequence", "genetic_variants"]}, True),
        ({"path": "data.classes", "contains_all": ["imaging", "biospecimen"]}, False),
        ({"path": "destination_country", "ne_path": "subject.country"}, True),
        ({"path": "destination_country", "eq_path": "subject.country"}, False),
        ({"missing": "data.deid_standard"}, True),
        ({"present": "data.deid_standard"}, False),
        ({"all": [{"path": "action", "eq": "export"}, {"path": "data.identified", "eq": True}]}, True),
        ({"any": [{"path": "action", "eq": "view"}, {"path": "data.identified", "eq": False}]}, False),
        ({"not": {"path": "action", "eq": "view"}}, True),
        ({"all": []}, True),
        ({"any": []}, False),
    ],
)
def test_condition_form_evaluates(spec: Any, expected: bool) -> None:
    assert holds(spec) is expected


def test_a_comparison_on_an_unknown_fact_is_false() -> None:
    assert holds({"path": "data.deid_standard", "ne": "safe_harbor"}) is False


def test_a_negated_comparison_on_an_unknown_fact_fires() -> None:
    assert holds({"not": {"path": "consent.cross_border", "eq": True}}) is True


def test_a_path_comparison_with_an_unknown_side_is_false() -> None:
    assert holds({"path": "destination_country", "ne_path": "recipient.country"}) is False


def test_an_ordering_on_a_non_number_is_false() -> None:
    assert holds({"path": "action", "gte": 3}) is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("yes", "must be a mapping"),
        ({"path": "action"}, "exactly one operator"),
        ({"path": "action", "like": "ex%"}, "unknown operator"),
        ({"path": "action", "in": "export"}, "takes a list"),
        ({"path": "volume.individuals_exported_this_year", "gte": "many"}, "takes a number"),
        ({"all": {"path": "action", "eq": "export"}}, "takes a list"),
        ({"all": [], "any": []}, "stands alone"),
        ({"eq": 1}, "expected one of"),
        ({"path": "", "eq": 1}, "dotted string"),
    ],
)
def test_malformed_condition_is_rejected(spec: Any, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        compile_condition(spec)


def test_an_unknown_fact_path_is_rejected_when_paths_are_known() -> None:
    with pytest.raises(ConditionError, match=r"unknown fact 'data\.identifed'"):
        compile_condition({"path": "data.identifed", "eq": True}, known_paths={"data.identified"})


def test_a_word_outside_the_vocabulary_is_rejected() -> None:
    with pytest.raises(ConditionError, match="'genome_raw' is not in the vocabulary"):
        compile_condition(
            {"path": "data.classes", "contains": "genome_raw"}, vocabularies={"data.classes": {"genetic_raw_sequence"}}
        )
