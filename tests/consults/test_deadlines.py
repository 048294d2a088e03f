"""Business-day deadlines: weekends, the node country's holidays, daylight saving, a paused clock."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from huizhen.apps.consults import deadlines

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def shanghai(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.HUIZHEN_COUNTRY = "CN"


@pytest.fixture
def los_angeles(settings: Any) -> None:
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.HUIZHEN_COUNTRY = "US"


def at(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_two_business_days_from_a_tuesday_end_on_thursday_at_the_same_time(los_angeles: None) -> None:
    assert deadlines.due_after(at(LOS_ANGELES, 2026, 11, 17, 10, 0), 2) == at(LOS_ANGELES, 2026, 11, 19, 10, 0)


def test_a_weekend_does_not_count(los_angeles: None) -> None:
    friday = at(LOS_ANGELES, 2026, 11, 13, 10, 0)
    assert deadlines.due_after(friday, 2) == at(LOS_ANGELES, 2026, 11, 17, 10, 0)


def test_a_clock_started_on_a_saturday_waits_for_monday(los_angeles: None) -> None:
    saturday = at(LOS_ANGELES, 2026, 11, 14, 15, 0)
    assert deadlines.due_after(saturday, 1) == at(LOS_ANGELES, 2026, 11, 17, 0, 0)


def test_chinese_national_day_holidays_do_not_count_at_a_chinese_node(shanghai: None) -> None:
    # 2026-10-01 .. 10-07 is the National Day holiday; 9-30 is a Wednesday.
    wednesday = at(SHANGHAI, 2026, 9, 30, 9, 0)
    assert deadlines.due_after(wednesday, 2) == at(SHANGHAI, 2026, 10, 9, 9, 0)


def test_october_first_is_a_working_day_for_a_node_without_a_country(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.HUIZHEN_COUNTRY = ""
    assert deadlines.is_business_day(dt.date(2026, 10, 1))


def test_thanksgiving_is_not_a_business_day_at_a_us_node(los_angeles: None) -> None:
    assert not deadlines.is_business_day(dt.date(2026, 11, 26))


def test_the_deadline_keeps_its_wall_clock_time_across_the_daylight_saving_change(los_angeles: None) -> None:
    # DST ends on Sunday 2026-11-01 in Los Angeles: 10:00 PDT Friday → 10:00 PST Monday.
    friday = at(LOS_ANGELES, 2026, 10, 30, 10, 0)
    due = deadlines.due_after(friday, 1)
    assert due == at(LOS_ANGELES, 2026, 11, 2, 10, 0)
    assert due.astimezone(dt.UTC) - friday.astimezone(dt.UTC) == dt.timedelta(days=3, hours=1)


def test_routine_cases_get_five_business_days_and_urgent_ones_two() -> None:
    assert deadlines.business_days_for(program="second_opinion", urgency="routine") == 5
    assert deadlines.business_days_for(program="second_opinion", urgency="urgent") == 2


def test_the_deadline_table_is_configurable_per_program(settings: Any) -> None:
    settings.HUIZHEN_CONSULT_DEADLINES = {"treatment_plan_review:routine": 7}
    assert deadlines.business_days_for(program="treatment_plan_review", urgency="routine") == 7
    assert deadlines.business_days_for(program="second_opinion", urgency="routine") == 5


def test_a_pause_across_a_weekend_moves_the_deadline_by_the_business_time_paused(los_angeles: None) -> None:
    due = at(LOS_ANGELES, 2026, 11, 18, 10, 0)
    paused = at(LOS_ANGELES, 2026, 11, 13, 16, 0)  # Friday 16:00
    resumed = at(LOS_ANGELES, 2026, 11, 16, 10, 0)  # Monday 10:00: 8 h Friday + 10 h Monday
    assert deadlines.resumed_due_at(due_at=due, paused_at=paused, now=resumed) == at(LOS_ANGELES, 2026, 11, 19, 4, 0)


def test_business_time_between_leaves_out_the_weekend(los_angeles: None) -> None:
    friday_noon = at(LOS_ANGELES, 2026, 11, 13, 12, 0)
    monday_noon = at(LOS_ANGELES, 2026, 11, 16, 12, 0)
    assert deadlines.business_time_between(friday_noon, monday_noon) == dt.timedelta(hours=24)


def test_a_case_past_its_deadline_in_review_is_overdue(los_angeles: None) -> None:
    consult = SimpleNamespace(state="in_review", due_at=at(LOS_ANGELES, 2026, 11, 13, 10, 0), paused_at=None)
    assert deadlines.is_overdue(consult, now=at(LOS_ANGELES, 2026, 11, 13, 10, 1))
    assert not deadlines.is_overdue(consult, now=at(LOS_ANGELES, 2026, 11, 13, 9, 59))


def test_a_paused_clock_does_not_run_out(los_angeles: None) -> None:
    consult = SimpleNamespace(
        state="info_requested",
        due_at=at(LOS_ANGELES, 2026, 11, 13, 10, 0),
        paused_at=at(LOS_ANGELES, 2026, 11, 12, 10, 0),
    )
    assert not deadlines.is_overdue(consult, now=at(LOS_ANGELES, 2026, 12, 1, 10, 0))


def test_a_signed_case_is_never_overdue(los_angeles: None) -> None:
    consult = SimpleNamespace(state="signed", due_at=at(LOS_ANGELES, 2026, 11, 13, 10, 0), paused_at=None)
    assert not deadlines.is_overdue(consult, now=at(LOS_ANGELES, 2026, 12, 1, 10, 0))
