"""The DOJ bulk thresholds at their edges: ``volume.us_persons_12m`` counts US persons sent before this request.

28 CFR 202.205 makes data "bulk" above N US persons in the preceding 12 months, so with N
already counted the request asked about makes N + 1 and is refused; the rules file's 50 %
alert comes with the request that makes N / 2.
"""

from __future__ import annotations

from typing import Any

import pytest

from huizhen.policy import evaluate, parse_request
from tests.policy.factories import changed, us_reply

HEALTH = ["opinion"]
GENOMIC = ["genomic"]


def _rules_and_warnings(classes: list[str], already: int) -> tuple[set[str], set[str]]:
    request: dict[str, Any] = changed(
        us_reply(), subject={"us_person": True}, data={"classes": classes}, volume={"us_persons_12m": already}
    )
    decision = evaluate(parse_request(request))
    return set(decision.rules), {warning.rule for warning in decision.warnings}


@pytest.mark.parametrize(("classes", "rule", "limit"), [(HEALTH, "US-DSP-04", 10_000), (GENOMIC, "US-DSP-03a", 100)])
def test_the_request_that_makes_more_than_the_limit_is_refused(classes: list[str], rule: str, limit: int) -> None:
    assert rule in _rules_and_warnings(classes, limit)[0]


@pytest.mark.parametrize(("classes", "rule", "limit"), [(HEALTH, "US-DSP-04", 10_000), (GENOMIC, "US-DSP-03a", 100)])
def test_the_request_that_reaches_the_limit_exactly_is_not_refused(classes: list[str], rule: str, limit: int) -> None:
    assert rule not in _rules_and_warnings(classes, limit - 1)[0]


@pytest.mark.parametrize(("classes", "half"), [(HEALTH, 5_000), (GENOMIC, 50)])
def test_the_request_that_makes_half_the_limit_warns_and_the_one_before_does_not(classes: list[str], half: int) -> None:
    assert "US-DSP-02b" in _rules_and_warnings(classes, half - 1)[1]
    assert "US-DSP-02b" not in _rules_and_warnings(classes, half - 2)[1]


@pytest.mark.parametrize(("classes", "limit"), [(HEALTH, 10_000), (GENOMIC, 100)])
def test_the_warning_stops_where_the_refusal_starts(classes: list[str], limit: int) -> None:
    assert "US-DSP-02b" in _rules_and_warnings(classes, limit - 1)[1]
    assert "US-DSP-02b" not in _rules_and_warnings(classes, limit)[1]
