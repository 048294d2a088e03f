"""Date shifting keeps intervals, precision and time of day; anything else is dropped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huizhen.deid.dicom.dates import patient_key, shift_date, shift_datetime


def test_a_date_moves_by_the_given_days() -> None:
    assert shift_date("20200301", -1) == "20200229"


def test_acr_nema_dotted_dates_are_read() -> None:
    assert shift_date("2020.03.01", -1) == "20200229"


def test_date_ranges_move_at_both_ends() -> None:
    assert shift_date("20200101-20200131", -365) == "20190101-20190131"


def test_free_text_in_a_date_field_is_not_a_date() -> None:
    assert shift_date("Wang 2020", -10) is None


def test_datetime_keeps_time_fraction_and_offset() -> None:
    assert shift_datetime("20200301103000.123456+0800", -1) == "20200229103000.123456+0800"


def test_datetime_keeps_its_precision() -> None:
    assert shift_datetime("2020", -400) == "2018"
    assert shift_datetime("202003", -31) == "202001"


def test_patient_key_uses_id_within_issuer_and_falls_back_to_name_and_birth_date() -> None:
    assert patient_key(patient_id="123", issuer="HOSP", name="Wang", birth_date="19800101") == "id:123^HOSP"
    assert patient_key(patient_id="", issuer="", name="Wang", birth_date="19800101") == "name:Wang^19800101"


@given(st.dates(), st.dates(), st.integers(min_value=-3650, max_value=-365))
def test_intervals_between_shifted_dates_are_unchanged(first, second, days) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    def da(day: dt.date) -> str:
        return f"{day.year:04d}{day.month:02d}{day.day:02d}"

    a, b = shift_date(da(first), days), shift_date(da(second), days)
    if a is None or b is None:  # shifted before year 1: refused, not wrapped
        assert min(first, second) - dt.date.min < dt.timedelta(days=-days)
        return

    def parse(text: str) -> dt.date:
        assert len(text) == 8, text
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))

    assert parse(b) - parse(a) == second - first


def test_dates_before_the_year_1000_keep_four_digit_years() -> None:
    assert shift_date("10010101", -365) == "10000101"
    assert shift_date("10000101", -1) == "09991231"
