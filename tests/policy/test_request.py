"""Parsing policy requests: the issue-8 schema, unknown facts left unknown, every problem reported at once."""

from __future__ import annotations

from typing import Any

import pytest

from huizhen.policy import RequestError, parse_request
from huizhen.policy.vocabulary import is_place, nation
from tests.policy.factories import DROP, changed, cn_export, us_reply


def problems(data: Any) -> list[str]:
    with pytest.raises(RequestError) as raised:
        parse_request(data)
    return raised.value.problems


def test_the_issue_schema_parses() -> None:
    request = parse_request(cn_export())

    assert request.action == "export"
    assert request.data.classes == ("clinical_summary", "imaging", "pathology_image")
    assert request.legal_basis.standard_contract is True


def test_absent_facts_are_unknown_not_false() -> None:
    request = parse_request({"action": "view", "actor": {"role": "patient"}})

    assert request.consent.cross_border is None
    assert request.data.identified is None
    assert request.volume.individuals_exported_this_year is None


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        {
            "action": "fly",
            "actor": {"role": "doctor", "country": "China", "licensed_in": ["usa"]},
            "data": {"classes": ["xray"], "identified": "yes"},
            "volume": {"individuals_exported_this_year": -1},
            "surprise": 1,
        }
    )

    assert [problem.split(":")[0] for problem in found] == [
        "surprise",
        "action",
        "actor.role",
        "actor.country",
        "actor.licensed_in",
        "data.classes",
        "data.identified",
        "volume.individuals_exported_this_year",
    ]


def test_action_is_required() -> None:
    assert problems(changed(cn_export(), action=DROP)) == [
        "action: required (one of: export, message, view, reidentify, erase)"
    ]


def test_actor_role_is_required() -> None:
    assert [p.split(":")[0] for p in problems(changed(cn_export(), actor={"role": DROP}))] == ["actor.role"]


def test_unknown_field_in_a_section_is_rejected() -> None:
    assert problems(changed(us_reply(), subject={"name": "Zhang San"}))[0].startswith("subject.name: unknown field")


def test_a_section_must_be_an_object() -> None:
    assert problems(changed(us_reply(), consent=True)) == ["consent: must be an object"]


def test_a_request_must_be_an_object() -> None:
    assert problems(["export"]) == ["request: must be a JSON object, not list"]


def test_a_boolean_is_not_a_count() -> None:
    assert problems(changed(cn_export(), volume={"individuals_exported_this_year": True}))[0].startswith("volume.")


def test_request_round_trips_to_json_ready_data() -> None:
    data = parse_request(cn_export()).to_dict()

    assert data["data"]["classes"] == ["clinical_summary", "imaging", "pathology_image"]
    assert parse_request({k: v for k, v in data.items() if v is not None}).to_dict() == data


def test_remote_view_destination_is_the_viewer_country() -> None:
    request = parse_request(
        {"action": "view", "actor": {"role": "consulting_specialist", "country": "US-MA"}, "subject": {"country": "CN"}}
    )

    derived = request.facts()["derived"]
    assert (derived["destination_nation"], derived["cross_border"]) == ("US", True)


@pytest.mark.parametrize(("code", "ok"), [("CN", True), ("US-CA", True), ("CN-BJ", True), ("usa", False), ("U", False)])
def test_places_are_iso_3166_codes(code: str, ok: bool) -> None:
    assert is_place(code) is ok


def test_nation_of_a_subdivision_is_its_country() -> None:
    assert nation("US-TX") == "US"
