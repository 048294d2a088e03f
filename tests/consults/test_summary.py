"""The clinical summary: schema, completeness check, bilingual labels, what the packaging changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from huizhen.apps.consults.summary import (
    SummaryInvalid,
    clean_summary,
    map_free_text,
    missing_items,
    render_summary,
    shift_dates,
)
from huizhen.apps.registry.models import ConsentKind
from tests.consults.factories import ConsentFactory, ConsultRequestFactory, HubPeerFactory, complete_summary


def test_a_complete_summary_is_valid_and_kept_as_written() -> None:
    cleaned = clean_summary(complete_summary())
    assert cleaned["diagnoses"][0] == complete_summary()["diagnoses"][0]
    assert cleaned["ihc"] == "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%"


def test_codes_are_normalised() -> None:
    cleaned = clean_summary({"diagnoses": [{"icd10": "c833", "icdo3": "M96803"}]})
    assert (cleaned["diagnoses"][0]["icd10"], cleaned["diagnoses"][0]["icdo3"]) == ("C83.3", "9680/3")


def test_blank_rows_are_dropped() -> None:
    assert clean_summary({"labs": [{}, {"name": "", "value": ""}]})["labs"] == []


def test_every_problem_is_listed_with_where_it_is() -> None:
    with pytest.raises(SummaryInvalid) as invalid:
        clean_summary(
            {
                "diagnoses": [{"icd10": "C83.3"}, {"icd10": "lymphoma"}],
                "performance_status": {"scale": "ECOG", "value": 7},
                "labs": [{"name": "LDH", "loinc": "LDH"}],
                "treatment_lines": [{"regimen": "R-CHOP", "start": "2026-07-01", "end": "2026-03-01"}],
                "favourite_colour": "blue",
            }
        )
    problems = " | ".join(invalid.value.problems)
    assert "diagnoses.2.icd10" in problems
    assert "performance_status" in problems
    assert "labs.1.loinc" in problems
    assert "treatment_lines.1" in problems
    assert "favourite_colour" in problems


def test_a_summary_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SummaryInvalid):
        clean_summary(["diagnoses"])


def test_coded_fields_render_in_chinese_and_english() -> None:
    rendered = render_summary(complete_summary())
    label = rendered["diagnoses"][0]["icd10_label"]
    assert (label.en, label.zh) == ("Diffuse large B-cell lymphoma", "弥漫大B细胞淋巴瘤")
    assert rendered["treatment_lines"][0]["regimen_label"].zh == "R-CHOP方案"
    assert rendered["labs"][0]["loinc_label"].en == "lactate dehydrogenase"


def test_free_text_is_changed_and_codes_are_not() -> None:
    changed = map_free_text(clean_summary(complete_summary()), lambda text: "<scrubbed>")
    assert changed["history"] == "<scrubbed>"
    assert changed["diagnoses"][0]["text"] == "<scrubbed>"
    assert changed["diagnoses"][0]["icd10"] == "C83.3"
    assert changed["labs"][0]["loinc"] == "2532-0"


def test_dates_move_by_the_shift() -> None:
    shifted = shift_dates(clean_summary(complete_summary()), 47)
    assert shifted["diagnoses"][0]["date"] == "2026-04-18"
    assert shifted["treatment_lines"][0]["start"] == "2026-04-26"


@pytest.mark.django_db
def test_a_complete_request_misses_nothing() -> None:
    assert missing_items(ConsultRequestFactory()) == []


@pytest.mark.django_db
def test_a_request_needs_a_question_a_subspecialty_and_a_coded_diagnosis() -> None:
    consult = ConsultRequestFactory(question=" ", subspecialty="", summary={"diagnoses": [{"text": "淋巴瘤"}]})
    assert missing_items(consult) == [
        "The subspecialty is not chosen.",
        "The clinical question is empty.",
        "At least one diagnosis with its ICD-10 code is needed.",
    ]


@pytest.mark.django_db
def test_cross_border_consent_must_name_the_hubs_country() -> None:
    hub = HubPeerFactory(agreement__country="US-CA")
    consult = ConsultRequestFactory(peer=hub, consents=False)
    ConsentFactory(patient=consult.patient, kind=ConsentKind.CONSULTATION, destination_country="")
    ConsentFactory(patient=consult.patient, kind=ConsentKind.CROSS_BORDER, destination_country="SG")
    assert missing_items(consult) == ["The patient's consent to cross-border transfer to US is not recorded."]


@pytest.mark.django_db
def test_a_withdrawn_consent_no_longer_counts() -> None:
    consult = ConsultRequestFactory()
    consult.patient.consents.filter(kind=ConsentKind.CONSULTATION).update(withdrawn_at=timezone.now())
    assert missing_items(consult) == ["The patient's consent to the remote consultation is not recorded."]


@pytest.mark.django_db
def test_a_hub_without_a_partner_agreement_is_reported() -> None:
    consult = ConsultRequestFactory(peer=HubPeerFactory(agreement=None))
    assert "There is no partner agreement with the chosen hub (its country is unknown)." in missing_items(consult)


@pytest.mark.django_db
def test_the_missing_items_follow_the_active_language() -> None:
    consult = ConsultRequestFactory(question="")
    with translation.override("zh-hans"):
        items: list[Any] = missing_items(consult)
    assert len(items) == 1
    assert isinstance(items[0], str)
