"""evaluate_policy: every decision stored with its request and audited; the volume read from the register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.policy import selectors
from huizhen.apps.policy.models import ExportRegisterEntry, PolicyDecisionRecord
from huizhen.apps.policy.services import evaluate_policy
from huizhen.policy import evaluate, parse_request
from tests.policy_app.factories import (
    ExportRegisterEntryFactory,
    export_request,
    fill_register,
    raw_sequence_export,
    us_person_export_to_china,
)

pytestmark = pytest.mark.django_db


def test_a_decision_is_stored_with_the_request_as_evaluated() -> None:
    decision = evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")

    record = PolicyDecisionRecord.objects.get()
    assert (record.case_ref, record.actor, record.action, record.purpose) == ("HZ-0042", "dr.li", "export", "treatment")
    assert record.decision == decision.decision
    assert record.rules == list(decision.rules)
    assert record.request == parse_request(export_request()).to_dict()


def test_the_stored_decision_is_the_engines_decision() -> None:
    decision = evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")

    assert decision == evaluate(parse_request(export_request()), packs=selectors.rule_packs())


def test_the_record_keeps_reasons_obligations_and_pack_versions() -> None:
    decision = evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")

    record = PolicyDecisionRecord.objects.get()
    as_json = decision.to_dict()
    assert (record.reasons, record.obligations, record.warnings) == (
        as_json["reasons"],
        as_json["obligations"],
        as_json["warnings"],
    )
    assert record.pack_versions == {pack.id: str(pack.version) for pack in selectors.rule_packs()}


def test_every_decision_is_audited_with_its_rules_and_case() -> None:
    decision = evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")

    entry = AuditEntry.objects.get(action="policy.decision")
    assert (entry.actor, entry.target, entry.outcome) == ("dr.li", "HZ-0042", "ok")
    assert entry.detail["decision"] == decision.decision
    assert entry.detail["rules"] == list(decision.rules)
    assert entry.detail["case_ref"] == "HZ-0042"
    assert entry.detail["record"] == PolicyDecisionRecord.objects.get().pk


def test_a_denial_is_audited_as_denied() -> None:
    decision = evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-0043")

    assert decision.decision == "deny"
    assert AuditEntry.objects.get(action="policy.decision").outcome == "denied"


def test_the_export_volume_is_read_from_the_register_when_absent() -> None:
    fill_register(37, origin_country="CN", destination_country="US")

    evaluate_policy(request=export_request(volume=None), actor="dr.li", case_ref="HZ-0044")

    assert PolicyDecisionRecord.objects.get().request["volume"]["individuals_exported_this_year"] == 37


def test_health_and_omic_exports_of_one_person_count_once_in_the_volume() -> None:
    fill_register(5, data_category="health")
    fill_register(3, data_category="omic")
    exported_twice = ExportRegisterEntry.objects.filter(data_category="health")[0]
    ExportRegisterEntryFactory(data_category="omic", subject_key=exported_twice.subject_key)

    evaluate_policy(request=export_request(volume=None), actor="dr.li")

    assert PolicyDecisionRecord.objects.get().request["volume"]["individuals_exported_this_year"] == 8


def test_other_destinations_and_past_years_do_not_count_toward_the_volume() -> None:
    fill_register(4, destination_country="SG")
    fill_register(6, year=2000)

    evaluate_policy(request=export_request(volume=None), actor="dr.li")

    assert PolicyDecisionRecord.objects.get().request["volume"]["individuals_exported_this_year"] == 0


def test_a_stated_volume_is_kept() -> None:
    fill_register(37)

    evaluate_policy(request=export_request(volume={"individuals_exported_this_year": 5}), actor="dr.li")

    assert PolicyDecisionRecord.objects.get().request["volume"]["individuals_exported_this_year"] == 5


def test_the_volume_is_not_filled_for_a_message() -> None:
    fill_register(37)
    message = export_request(action="message", volume=None, data={"classes": ["message"], "identified": False})

    evaluate_policy(request=message, actor="dr.li")

    assert PolicyDecisionRecord.objects.get().request["volume"]["individuals_exported_this_year"] is None


def test_a_register_near_the_cn_threshold_brings_a_warning_into_the_decision() -> None:
    fill_register(9_500)

    decision = evaluate_policy(request=export_request(volume=None), actor="dr.li", case_ref="HZ-0045")

    assert decision.warnings, decision.to_dict()
    record = PolicyDecisionRecord.objects.get()
    assert record.warnings == decision.to_dict()["warnings"]
    assert AuditEntry.objects.get(action="policy.decision").detail["warnings"]


def test_a_request_the_engine_cannot_read_is_audited_as_refused_and_not_recorded() -> None:
    with pytest.raises(Exception, match="unknown"):
        evaluate_policy(request=export_request(action="teleport"), actor="dr.li", case_ref="HZ-0046")

    entry = AuditEntry.objects.get(action="policy.request_refused")
    assert (entry.outcome, entry.target, entry.detail["problems"]) == ("denied", "HZ-0046", 1)
    assert not PolicyDecisionRecord.objects.exists()


def _us_persons_12m(record: PolicyDecisionRecord) -> int | None:
    volume: dict[str, int | None] = record.request["volume"]
    return volume["us_persons_12m"]


def test_the_us_person_count_is_read_from_the_register_for_a_us_persons_export() -> None:
    fill_register(7, origin_country="US", destination_country="CN", us_person=True)
    fill_register(2, origin_country="CN", destination_country="CN", data_category="omic", us_person=True)
    fill_register(5, origin_country="US", destination_country="CN", us_person=False)
    fill_register(4, origin_country="US", destination_country="RU", us_person=True)

    decision = evaluate_policy(request=us_person_export_to_china(), actor="dr.smith", case_ref="HZ-0050")

    assert _us_persons_12m(PolicyDecisionRecord.objects.get()) == 9
    assert "US-DSP-02a" not in decision.rules


def test_us_persons_exported_more_than_365_days_ago_do_not_count_toward_the_dsp_volume() -> None:
    fill_register(3, destination_country="CN", us_person=True, last_exported_at=timezone.now() - timedelta(days=400))
    fill_register(2, destination_country="CN", us_person=True, last_exported_at=timezone.now() - timedelta(days=300))

    evaluate_policy(request=us_person_export_to_china(), actor="dr.smith")

    assert _us_persons_12m(PolicyDecisionRecord.objects.get()) == 2


def test_the_us_person_count_is_not_filled_for_someone_who_is_not_a_us_person() -> None:
    fill_register(7, destination_country="CN", us_person=True)

    evaluate_policy(request=us_person_export_to_china(subject={"country": "CN", "us_person": False}), actor="dr.smith")

    assert _us_persons_12m(PolicyDecisionRecord.objects.get()) is None


def test_a_stated_us_person_count_is_kept() -> None:
    fill_register(7, destination_country="CN", us_person=True)

    evaluate_policy(request=us_person_export_to_china(volume={"us_persons_12m": 1}), actor="dr.smith")

    assert _us_persons_12m(PolicyDecisionRecord.objects.get()) == 1


def test_the_us_person_count_is_not_filled_for_a_message() -> None:
    # The register records exports; for a message the caller states the count (US-DSP-02a).
    fill_register(7, destination_country="CN", us_person=True)

    decision = evaluate_policy(request=us_person_export_to_china(action="message"), actor="dr.smith")

    assert _us_persons_12m(PolicyDecisionRecord.objects.get()) is None
    assert "US-DSP-02a" in decision.rules


@pytest.mark.parametrize(
    ("classes", "rule", "already"),
    [(["clinical_summary"], "US-DSP-04", 10_000), (["genomic"], "US-DSP-03a", 100)],
    ids=["health", "genomic"],
)
def test_the_us_person_beyond_a_bulk_threshold_is_refused_and_the_one_before_is_not(
    classes: list[str], rule: str, already: int
) -> None:
    # 28 CFR 202.205 "more than N": with N US persons already counted, the next makes N + 1.
    data = {"classes": classes, "identified": False, "deid_standard": "pseudonymised"}
    fill_register(already - 1, destination_country="CN", us_person=True)

    allowed = evaluate_policy(request=us_person_export_to_china(data=data), actor="dr.smith")
    fill_register(1, destination_country="CN", us_person=True)
    refused = evaluate_policy(request=us_person_export_to_china(data=data), actor="dr.smith")

    assert (allowed.decision, rule in allowed.rules) == ("allow_with_obligations", False)
    assert (refused.decision, rule in refused.rules) == ("deny", True)


@pytest.mark.parametrize(
    ("classes", "half"), [(["clinical_summary"], 5_000), (["genomic"], 50)], ids=["health", "genomic"]
)
def test_the_us_person_who_makes_half_a_bulk_threshold_brings_the_dsp_warning(classes: list[str], half: int) -> None:
    data = {"classes": classes, "identified": False, "deid_standard": "pseudonymised"}
    fill_register(half - 2, destination_country="CN", us_person=True)

    quiet = evaluate_policy(request=us_person_export_to_china(data=data), actor="dr.smith")
    fill_register(1, destination_country="CN", us_person=True)
    warned = evaluate_policy(request=us_person_export_to_china(data=data), actor="dr.smith")

    assert "US-DSP-02b" not in {warning.rule for warning in quiet.warnings}
    assert "US-DSP-02b" in {warning.rule for warning in warned.warnings}
    assert warned.decision == "allow_with_obligations"
