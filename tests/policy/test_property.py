"""Property: no export decision lets identified data leave a country without an explicit legal basis.

For any request that exports identified data to a country other than the patient's, if
the request lacks a transfer mechanism (standard contract, certification or security
assessment) or the patient's cross-border consent, the decision is deny — whatever the
other facts, roles, purposes, volumes, programs or vocabulary say.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from huizhen.policy import evaluate, parse_request
from huizhen.policy.vocabulary import DATA_CLASSES, DEID_STANDARDS, PURPOSES, ROLES

PLACES = ["CN", "US", "US-CA", "US-TX", "JP", "DE", "HK", "CN-BJ", "GB"]
maybe_bool = st.one_of(st.none(), st.booleans())


def party() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"role": st.sampled_from(sorted(ROLES))},
        optional={
            "country": st.sampled_from(PLACES),
            "licensed_in": st.lists(st.sampled_from(PLACES), max_size=3),
        },
    )


@st.composite
def identified_exports_without_basis(draw: st.DrawFn) -> dict[str, Any]:
    subject_country = draw(st.sampled_from(PLACES))
    destination = draw(st.sampled_from([p for p in PLACES if p.split("-")[0] != subject_country.split("-")[0]]))
    mechanism = {
        "standard_contract": draw(maybe_bool),
        "certification": draw(maybe_bool),
        "security_assessment": draw(maybe_bool),
    }
    has_mechanism = any(value is True for value in mechanism.values())
    cross_border_consent = draw(maybe_bool)
    if has_mechanism and cross_border_consent is True:
        # Take away one of the two so that the explicit legal basis is incomplete.
        if draw(st.booleans()):
            cross_border_consent = draw(st.sampled_from([None, False]))
        else:
            mechanism = {key: draw(st.sampled_from([None, False])) for key in mechanism}
    return {
        "action": "export",
        "purpose": draw(st.sampled_from(sorted(PURPOSES))),
        "actor": draw(party()),
        "recipient": draw(party()),
        "subject": {"country": subject_country, "us_person": draw(maybe_bool), "age": draw(st.integers(0, 100))},
        "data": {
            "classes": draw(st.lists(st.sampled_from(sorted(DATA_CLASSES)), min_size=1, max_size=4, unique=True)),
            "identified": True,
            "deid_standard": draw(st.one_of(st.none(), st.sampled_from(sorted(DEID_STANDARDS)))),
        },
        "consent": {
            "cross_border": cross_border_consent,
            "telemedicine": draw(maybe_bool),
            "sensitive_separate": draw(maybe_bool),
            "third_party_separate": draw(maybe_bool),
            "guardian": draw(maybe_bool),
            "secondary_use": draw(maybe_bool),
        },
        "legal_basis": {
            **mechanism,
            "impact_assessment": draw(maybe_bool),
            "hgr_filing": draw(maybe_bool),
            "hipaa_authorization": draw(maybe_bool),
            "dsp_security_program": draw(maybe_bool),
        },
        "volume": {
            "individuals_exported_this_year": draw(st.one_of(st.none(), st.integers(0, 2_000_000))),
            "us_persons_12m": draw(st.one_of(st.none(), st.integers(0, 20_000))),
        },
        "exporter": {"ciio": draw(maybe_bool)},
        "destination_country": destination,
        "node": draw(st.sampled_from([None, "gateway", "hub"])),
        "program": draw(st.sampled_from([None, "default-second-opinion", "other-program"])),
    }


@settings(max_examples=500, deadline=None)
@given(identified_exports_without_basis())
def test_identified_data_never_leaves_a_country_without_an_explicit_legal_basis(data: dict[str, Any]) -> None:
    decision = evaluate(parse_request(data))

    assert decision.decision == "deny", decision.to_dict()
