"""Consultation deadlines in business days of the node: from acceptance to signature.

A deadline counts business days in the node's time zone (``settings.TIME_ZONE``),
skipping Saturdays, Sundays and the public holidays of the node's country
(``settings.HUIZHEN_COUNTRY``, from the ``holidays`` library; none when it is empty).
Business time is wall-clock time on business days: a case accepted on Friday at 10:00
with two business days is due on Tuesday at 10:00, whatever a daylight-saving change
does to the hours in between. The number of days comes from the program and urgency
(``settings.HUIZHEN_CONSULT_DEADLINES``, routine 5 and urgent 2 by default — Mayo's
eConsult answers within 4). While information is requested the clock is paused
(``paused_at``); on resumption the deadline moves by the business time spent paused.
Everything here is a pure function of its arguments and the two settings.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

DEFAULT_DEADLINES: dict[str, int] = {"routine": 5, "urgent": 2}
DAY = timedelta(days=1)
#: States in which the hub owes an opinion and the clock may run out.
RUNNING_STATES = frozenset({"accepted", "in_review", "info_requested"})


def node_zone() -> ZoneInfo:
    return ZoneInfo(str(settings.TIME_ZONE))


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_business_day(day: date, *, country: str | None = None) -> bool:
    """Monday to Friday and not a public holiday of ``country`` (the node's by default)."""
    where = str(settings.HUIZHEN_COUNTRY or "") if country is None else country
    return day.weekday() < 5 and day not in _holidays(where.upper(), day.year)


def business_days_for(*, program: str, urgency: str) -> int:
    """Days allowed for a case: ``"<program>:<urgency>"`` in the setting first, then ``urgency``."""
    table: dict[str, int] = {**DEFAULT_DEADLINES, **getattr(settings, "HUIZHEN_CONSULT_DEADLINES", {})}
    for key in (f"{program}:{urgency}", urgency):
        if key in table:
            return int(table[key])
    return table["routine"]


def _local(moment: datetime) -> datetime:
    """``moment`` as naive wall-clock time in the node's zone (business time is wall-clock time)."""
    return timezone.localtime(moment, node_zone()).replace(tzinfo=None)


def _make_aware(wall: datetime) -> datetime:
    # zoneinfo picks the first of two ambiguous times (fold=0) and shifts a time in the
    # spring-forward gap by the gap; either is an acceptable deadline.
    return wall.replace(tzinfo=node_zone())


def add_business_time(start: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of business time after ``start``; a clock started off-hours waits."""
    wall = _local(start)
    remaining = amount
    while True:
        midnight = datetime.combine(wall.date(), time.min)
        if is_business_day(wall.date()):
            left_today = midnight + DAY - wall
            if remaining <= left_today:
                return _make_aware(wall + remaining)
            remaining -= left_today
        wall = midnight + DAY


def due_after(start: datetime, business_days: int) -> datetime:
    """``business_days`` business days after ``start`` (same wall-clock time, node zone)."""
    return add_business_time(start, business_days * DAY)


def business_time_between(start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) fell on business days, in wall-clock time."""
    wall, stop = _local(start), _local(end)
    total = timedelta(0)
    while wall < stop:
        next_midnight = datetime.combine(wall.date(), time.min) + DAY
        if is_business_day(wall.date()):
            total += min(next_midnight, stop) - wall
        wall = next_midnight
    return total


def due_for(*, program: str, urgency: str, accepted_at: datetime) -> datetime:
    """The deadline of a case accepted at ``accepted_at``."""
    return due_after(accepted_at, business_days_for(program=program, urgency=urgency))


def resumed_due_at(*, due_at: datetime | None, paused_at: datetime | None, now: datetime) -> datetime | None:
    """``due_at`` moved by the business time between ``paused_at`` and ``now`` (unchanged if not paused)."""
    if due_at is None or paused_at is None:
        return due_at
    return add_business_time(due_at, business_time_between(paused_at, now))


def is_overdue(consult: Any, now: datetime | None = None) -> bool:
    """Past its deadline while the hub still owes the opinion; a paused clock stands still."""
    if consult.due_at is None or consult.state not in RUNNING_STATES:
        return False
    moment = consult.paused_at or now or timezone.now()
    return bool(moment > consult.due_at)


def business_time_left(consult: Any, now: datetime | None = None) -> timedelta | None:
    """Business time until the deadline (negative when overdue), or None without a deadline."""
    if consult.due_at is None:
        return None
    moment = consult.paused_at or now or timezone.now()
    if moment <= consult.due_at:
        return business_time_between(moment, consult.due_at)
    return -business_time_between(consult.due_at, moment)
