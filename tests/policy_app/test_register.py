"""The export register: one row per individual, year, origin, destination and category; US persons over 12 months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.policy.models import DataCategory, ExportRegisterEntry
from huizhen.apps.policy.selectors import (
    dsp_thresholds,
    individuals_exported,
    register_lines,
    us_persons_exported_within,
    volume_thresholds,
)
from huizhen.apps.policy.services import record_export, subject_key
from tests.policy_app.factories import fill_register

pytestmark = pytest.mark.django_db

JUNE_2025 = datetime(2025, 6, 1, 12, tzinfo=UTC)
JULY_2025 = datetime(2025, 7, 1, 12, tzinfo=UTC)
JANUARY_2026 = datetime(2026, 1, 15, 12, tzinfo=UTC)
#: "Now" for the rolling DSP window: 300 days before it is still 2025, last year's row.
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _export(
    pseudonym: str,
    *,
    when: datetime = JUNE_2025,
    destination: str = "US",
    category: str = "health",
    us_person: bool = False,
    origin: str = "CN",
) -> None:
    record_export(
        origin=origin,
        destination=destination,
        category=category,
        subject_pseudonym=pseudonym,
        us_person=us_person,
        when=when,
    )


def _us_persons_in_china(*, categories: tuple[str, ...] = ("health", "omic")) -> int:
    return us_persons_exported_within(destination="CN", categories=categories, now=NOW)


def test_an_individual_exported_twice_in_a_year_counts_once() -> None:
    _export("HZ-P-7Q2K", when=JUNE_2025)
    _export("HZ-P-7Q2K", when=JULY_2025)

    assert individuals_exported(2025, "CN", "US", "health") == 1


def test_two_individuals_count_twice() -> None:
    _export("HZ-P-7Q2K")
    _export("HZ-P-M3XA")

    assert individuals_exported(2025, "CN", "US", "health") == 2


def test_the_same_individual_counts_again_in_a_new_calendar_year() -> None:
    _export("HZ-P-7Q2K", when=JUNE_2025)
    _export("HZ-P-7Q2K", when=JANUARY_2026)

    assert individuals_exported(2025, "CN", "US", "health") == 1
    assert individuals_exported(2026, "CN", "US", "health") == 1


def test_destinations_and_categories_are_counted_apart() -> None:
    _export("HZ-P-7Q2K", destination="US", category="health")
    _export("HZ-P-7Q2K", destination="SG", category="health")
    _export("HZ-P-7Q2K", destination="US", category="omic")

    assert individuals_exported(2025, "CN", "US", "health") == 1
    assert individuals_exported(2025, "CN", "SG", "health") == 1
    assert individuals_exported(2025, "CN", "US", "omic") == 1
    assert individuals_exported(2025, "CN", "US", "personal") == 0


def test_a_us_state_counts_for_its_country() -> None:
    _export("HZ-P-7Q2K", destination="US-CA")

    assert individuals_exported(2025, "CN", "US", "health") == 1


def test_the_register_keeps_a_keyed_hash_of_the_pseudonym_not_the_pseudonym() -> None:
    _export("HZ-P-7Q2K")

    entry = ExportRegisterEntry.objects.get()
    assert entry.subject_key == subject_key("HZ-P-7Q2K")
    assert "7Q2K" not in entry.subject_key
    assert len(entry.subject_key) == 64


def test_a_first_export_is_audited_and_a_repeat_is_not() -> None:
    _export("HZ-P-7Q2K", when=JUNE_2025)
    _export("HZ-P-7Q2K", when=JULY_2025)

    entries = AuditEntry.objects.filter(action="policy.export_registered")
    assert entries.count() == 1
    assert entries.get().detail == {
        "year": 2025,
        "origin": "CN",
        "destination": "US",
        "category": "health",
        "us_person": False,
    }


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export register category"):
        _export("HZ-P-7Q2K", category="imaging")


def test_an_export_without_a_pseudonym_is_refused() -> None:
    with pytest.raises(ValueError, match="pseudonym"):
        _export("")


def test_register_lines_show_the_share_of_the_threshold_and_flag_80_percent() -> None:
    fill_register(8, year=2025, data_category=DataCategory.HEALTH)
    fill_register(7, year=2025, data_category=DataCategory.OMIC)
    thresholds = {("CN", "*", "health"): 10, ("CN", "*", "omic"): 10}

    lines = {line.category: line for line in register_lines(thresholds=thresholds)}

    assert (lines["health"].individuals, lines["health"].percent, lines["health"].approaching) == (8, 80, True)
    assert (lines["omic"].individuals, lines["omic"].percent, lines["omic"].approaching) == (7, 70, False)


def test_a_register_line_without_a_threshold_is_never_flagged() -> None:
    fill_register(3, year=2025, origin_country="US", destination_country="CN")

    (line,) = register_lines(thresholds={})

    assert line.threshold is None
    assert not line.approaching


def test_the_cn_threshold_is_read_from_the_packs_as_a_number_of_individuals() -> None:
    # The CN pack refuses the export that would make the 10,000th individual without a
    # security assessment (2024 Provisions Art. 8): the register line's threshold is 10,000.
    assert volume_thresholds()[("CN", "*", "health")] == 10_000


def test_a_us_person_exported_twice_counts_once() -> None:
    _export("HZ-P-US01", origin="US", destination="CN", us_person=True, when=NOW - timedelta(days=90))
    _export("HZ-P-US01", origin="US", destination="CN", us_person=True, when=NOW - timedelta(days=20))

    assert _us_persons_in_china() == 1


def test_a_us_person_exported_300_days_ago_on_last_years_row_counts() -> None:
    _export("HZ-P-US01", destination="CN", us_person=True, when=NOW - timedelta(days=300))

    assert ExportRegisterEntry.objects.get().year == NOW.year - 1
    assert _us_persons_in_china() == 1


def test_a_us_person_exported_400_days_ago_and_not_since_does_not_count() -> None:
    _export("HZ-P-US01", destination="CN", us_person=True, when=NOW - timedelta(days=400))

    assert _us_persons_in_china() == 0


def test_a_repeat_export_in_the_same_year_moves_the_window_forward() -> None:
    # Both exports land on the 2025 row: only its latest export time keeps the person in
    # the window, since the first one is more than a year old.
    first, latest = NOW - timedelta(days=420), NOW - timedelta(days=100)
    _export("HZ-P-US01", destination="CN", us_person=True, when=first)
    _export("HZ-P-US01", destination="CN", us_person=True, when=latest)

    entry = ExportRegisterEntry.objects.get()
    assert (entry.year, entry.at, entry.last_exported_at) == (2025, first, latest)
    assert _us_persons_in_china() == 1


def test_an_earlier_export_recorded_late_does_not_move_the_window_back() -> None:
    _export("HZ-P-US01", destination="CN", us_person=True, when=NOW - timedelta(days=10))
    _export("HZ-P-US01", destination="CN", us_person=True, when=NOW - timedelta(days=30))

    assert ExportRegisterEntry.objects.get().last_exported_at == NOW - timedelta(days=10)


def test_people_who_are_not_us_persons_do_not_count() -> None:
    _export("HZ-P-CN01", destination="CN", us_person=False, when=NOW - timedelta(days=5))

    assert _us_persons_in_china() == 0


def test_a_repeat_export_can_mark_a_us_person_but_never_unmark_one() -> None:
    _export("HZ-P-US01", destination="CN", us_person=False, when=NOW - timedelta(days=50))
    _export("HZ-P-US01", destination="CN", us_person=True, when=NOW - timedelta(days=40))
    _export("HZ-P-US01", destination="CN", us_person=False, when=NOW - timedelta(days=30))

    assert ExportRegisterEntry.objects.get().us_person is True
    assert _us_persons_in_china() == 1


def test_the_us_person_count_is_per_destination_and_category() -> None:
    _export("HZ-P-US01", destination="CN", category="omic", us_person=True, when=NOW - timedelta(days=5))
    _export("HZ-P-US02", destination="RU", category="health", us_person=True, when=NOW - timedelta(days=5))

    assert _us_persons_in_china(categories=("omic",)) == 1
    assert _us_persons_in_china(categories=("health",)) == 0
    assert _us_persons_in_china() == 1


def test_the_dsp_thresholds_are_read_from_the_packs() -> None:
    # us.yaml: health data on more than 10,000 US persons (US-DSP-04), human genomic data
    # on more than 100 (US-DSP-03a), each with US-DSP-02b's warning at half.
    health, genomic = dsp_thresholds()

    assert (health.classes, health.limit, health.rules, health.warn_percent) == ((), 10_000, ("US-DSP-04",), 50)
    assert "genomic" in genomic.classes
    assert (genomic.limit, genomic.rules, genomic.warn_percent) == (100, ("US-DSP-03a",), 50)
