"""Policy requests for tests: lawful starting points, changed one fact at a time with :func:`changed`."""

from __future__ import annotations

import copy
from typing import Any

DROP = object()  # a value in ``changed`` that removes the fact: it becomes unknown


def changed(base: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with sections merged in (``data={"classes": [...]}``); ``DROP`` removes a key."""
    result = copy.deepcopy(base)
    for key, value in sections.items():
        if value is DROP:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            for inner, inner_value in value.items():
                if inner_value is DROP:
                    result[key].pop(inner, None)
                else:
                    result[key][inner] = inner_value
        else:
            result[key] = value
    return result


def cn_export() -> dict[str, Any]:
    """A referring hospital in China sends a de-identified case to the US center with every paper in order."""
    return {
        "action": "export",
        "purpose": "treatment",
        "actor": {"role": "referring_physician", "country": "CN", "licensed_in": ["CN"]},
        "recipient": {"role": "consulting_specialist", "country": "US"},
        "subject": {"country": "CN", "us_person": False, "age": 52},
        "data": {
            "classes": ["clinical_summary", "imaging", "pathology_image"],
            "identified": False,
            "deid_standard": "safe_harbor",
        },
        "consent": {
            "cross_border": True,
            "telemedicine": True,
            "sensitive_separate": True,
            "third_party_separate": True,
        },
        "legal_basis": {"standard_contract": True, "impact_assessment": True, "security_assessment": False},
        "volume": {"individuals_exported_this_year": 120},
        "exporter": {"ciio": False},
        "destination_country": "US",
    }


def us_reply() -> dict[str, Any]:
    """The US consultant sends the opinion back to the treating physician in China."""
    return {
        "action": "message",
        "purpose": "treatment",
        "actor": {"role": "consulting_specialist", "country": "US", "licensed_in": ["US-MA"]},
        "recipient": {"role": "referring_physician", "country": "CN"},
        "subject": {"country": "CN", "us_person": False},
        "data": {"classes": ["opinion"], "identified": False, "deid_standard": "pseudonymised"},
    }


def hub_view() -> dict[str, Any]:
    """A US consultant opens the de-identified case at the hub: remote viewing of a Chinese patient's data."""
    return changed(
        cn_export(),
        action="view",
        actor={"role": "consulting_specialist", "country": "US", "licensed_in": ["US-MA"]},
        recipient=DROP,
        destination_country=DROP,
    )


def gateway_view() -> dict[str, Any]:
    """The referring physician opens the identified case at the gateway in China."""
    return {
        "action": "view",
        "purpose": "treatment",
        "actor": {"role": "referring_physician", "country": "CN", "licensed_in": ["CN"]},
        "subject": {"country": "CN", "us_person": False},
        "data": {"classes": ["clinical_summary"], "identified": True, "deid_standard": None},
        "node": "gateway",
    }


def erase(kind: str, age_years: float, **record: Any) -> dict[str, Any]:
    """The privacy officer asks to delete a record of ``kind`` that is ``age_years`` old."""
    return {
        "action": "erase",
        "purpose": "oversight",
        "actor": {"role": "privacy_officer", "country": "CN"},
        "record": {"kind": kind, "age_years": age_years, **record},
    }
