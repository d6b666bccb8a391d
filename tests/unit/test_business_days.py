"""The Peruvian working calendar and LPAG 133-134 counting.

Every expected date below was worked out by hand from the law (LPAG 133-134, 139, 140.1) and a
printed calendar (`python -c 'import calendar; print(calendar.month(2025, 7))'`), never computed by
the code under test. National holidays per PROCESSES.md §7 (16 a year):

2025: Jan 1 We · Apr 17 Th, 18 Fr · May 1 Th · Jun 7 Sa · Jun 29 Su · Jul 23 We · Jul 28 Mo, 29 Tu
      Aug 6 We · Aug 30 Sa · Oct 8 We · Nov 1 Sa · Dec 8 Mo, 9 Tu · Dec 25 Th
2026: Jan 1 Th · Apr 2 Th, 3 Fr · May 1 Fr · Jun 7 Su · Jun 29 Mo · Jul 23 Th · Jul 28 Tu, 29 We
      Aug 6 Th · Aug 30 Su · Oct 8 Th · Nov 1 Su · Dec 8 Tu, 9 We · Dec 25 Fr
2027: Jan 1 Fr · Mar 25 Th, 26 Fr · May 1 Sa · Jun 7 Mo · Jun 29 Tu · Jul 23 Fr · Jul 28 We, 29 Th
      Aug 6 Fr · Aug 30 Mo · Oct 8 Fr · Nov 1 Mo · Dec 8 We, 9 Th · Dec 25 Sa
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.business_days import LIMA, BusinessCalendar, add_days_cli, deadline_instant
from engine.errors import InvalidInput

D = date.fromisoformat

# (month, day) of the 16 national holidays, fixed-date ones; Holy Week added per year below.
FIXED = [
    (1, 1),
    (5, 1),
    (6, 7),
    (6, 29),
    (7, 23),
    (7, 28),
    (7, 29),
    (8, 6),
    (8, 30),
    (10, 8),
    (11, 1),
    (12, 8),
    (12, 9),
    (12, 25),
]
HOLY_WEEK = {
    2025: ["2025-04-17", "2025-04-18"],
    2026: ["2026-04-02", "2026-04-03"],
    2027: ["2027-03-25", "2027-03-26"],
}
EASTER_SUNDAY = {2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28"}


def national(year: int) -> set[date]:
    return {date(year, m, d) for m, d in FIXED} | {D(x) for x in HOLY_WEEK[year]}


ALL_HOLIDAYS = sorted(d for year in (2025, 2026, 2027) for d in national(year))


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


# ─── the holiday list itself ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_national_holidays_match_processes_section_7(cal, year):
    listed = set(cal.national_holidays(year)) - {D(EASTER_SUNDAY[year])}
    assert listed == national(year)
    assert len(listed) == 16


@pytest.mark.parametrize("year", [2025, 2026, 2027])
@pytest.mark.parametrize("month_day", [(6, 7), (7, 23), (8, 6), (12, 9)])
def test_recent_holidays_present_so_a_downgrade_breaks_the_build(cal, year, month_day):
    # 7 Jun (Ley 31788), 23 Jul (Ley 31822), 6 Aug (Ley 31530), 9 Dec (Ley 31381)
    assert date(year, *month_day) in cal.national_holidays(year)


@pytest.mark.parametrize("day", ALL_HOLIDAYS, ids=str)
def test_every_national_holiday_is_not_a_business_day(cal, day):
    assert not cal.is_business_day(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D("2025-07-30"), True),  # Wed after the 28-29 July pair
        (D("2025-04-16"), True),  # Wed before Maundy Thursday
        (D("2025-12-24"), True),  # Christmas Eve is not a national holiday
        (D("2025-12-10"), True),  # Wed after the 8-9 December pair
        (D("2025-03-08"), False),  # Saturday
        (D("2025-03-09"), False),  # Sunday
        (D("2025-04-20"), False),  # Easter Sunday
        (D("2026-06-06"), False),  # Saturday before the Sunday 7 Jun
        (D("2027-05-03"), True),  # Mon after a Saturday 1 May: no moving of holidays
    ],
)
def test_is_business_day(cal, day, expected):
    assert cal.is_business_day(day) is expected


def test_holidays_are_computed_lazily_per_year():
    fresh = BusinessCalendar()
    assert fresh._national == {}
    fresh.is_business_day(D("2026-03-04"))
    assert set(fresh._national) == {2026}


# ─── LPAG 133.1 / 134.1: business days, counted from the next business day ─────────────────────


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-07-25", 3, "2025-08-01"),  # Fr; 28-29 hol; 30 W(1) 31 Th(2) Aug 1 F(3)
        ("2025-04-16", 1, "2025-04-21"),  # We; 17-18 Holy Week; Mon 21(1)
        ("2025-04-15", 5, "2025-04-24"),  # Tu; 16(1); 17-18 hol; 21(2) 22(3) 23(4) 24(5)
        ("2026-04-01", 2, "2026-04-07"),  # We; 2-3 Holy Week; Mon 6(1) Tu 7(2)
        ("2027-03-24", 3, "2027-03-31"),  # We; 25-26 Holy Week; 29(1) 30(2) 31(3)
        ("2025-12-05", 2, "2025-12-11"),  # Fr; Mon 8 + Tu 9 hol; 10(1) 11(2)
        ("2026-12-07", 1, "2026-12-10"),  # Mo; Tu 8 + We 9 hol; Th 10(1)
        ("2027-12-07", 2, "2027-12-13"),  # Tu; We 8 + Th 9 hol; F 10(1); Mon 13(2)
        ("2025-12-24", 5, "2026-01-02"),  # We; 25 hol; 26(1) 29(2) 30(3) 31(4); Jan 1 hol; 2(5)
        ("2026-12-24", 3, "2026-12-30"),  # Th; F 25 hol; Mon 28(1) 29(2) 30(3)
        ("2026-12-30", 2, "2027-01-04"),  # We; 31(1); F Jan 1 hol; Mon 4(2)
        ("2026-06-26", 1, "2026-06-30"),  # Fr; Mon 29 Jun hol (Monday holiday); Tu 30(1)
        ("2027-07-22", 1, "2027-07-26"),  # Th; F 23 Jul hol (Friday holiday); Mon 26(1)
        ("2027-07-22", 5, "2027-08-03"),  # Th; 26(1) 27(2); 28-29 hol; 30(3); Aug 2(4) 3(5)
        ("2026-07-22", 3, "2026-07-30"),  # We; Th 23 hol; F 24(1); Mon 27(2); 28-29 hol; Th 30(3)
        ("2027-06-04", 1, "2027-06-08"),  # Fr; Mon 7 Jun hol; Tu 8(1)
        ("2027-08-05", 1, "2027-08-09"),  # Th; F 6 Aug hol; Mon 9(1)
        ("2027-08-27", 1, "2027-08-31"),  # Fr; Mon 30 Aug hol; Tu 31(1)
        ("2027-10-07", 1, "2027-10-11"),  # Th; F 8 Oct hol; Mon 11(1)
        ("2027-10-29", 1, "2027-11-02"),  # Fr; Mon 1 Nov hol; Tu 2(1)
        ("2025-04-30", 1, "2025-05-02"),  # We; Th 1 May hol; F 2(1)
        ("2026-04-30", 1, "2026-05-04"),  # Th; F 1 May hol; Mon 4(1)
        ("2025-10-07", 1, "2025-10-09"),  # Tu; We 8 Oct hol; Th 9(1)
        ("2025-08-05", 1, "2025-08-07"),  # Tu; We 6 Aug hol; Th 7(1)
        ("2025-07-22", 1, "2025-07-24"),  # Tu; We 23 Jul hol; Th 24(1)
        ("2025-12-31", 1, "2026-01-02"),  # We; Th Jan 1 hol; F 2(1) (year roll)
        ("2025-03-07", 1, "2025-03-10"),  # Fr; weekend; Mon 10(1)
        ("2025-03-08", 1, "2025-03-10"),  # notified Sa; Mon 10(1)
        ("2025-03-08", 5, "2025-03-14"),  # notified Sa; 10(1) 11(2) 12(3) 13(4) 14(5)
        ("2025-07-28", 2, "2025-07-31"),  # notified on a holiday; 29 hol; 30(1) 31(2)
        ("2025-06-02", 15, "2025-06-23"),  # Mo; 3-6(1-4) 9-13(5-9) 16-20(10-14) 23(15)
        ("2025-07-01", 30, "2025-08-18"),  # Tu; Jul 2-22 (15), 24-25 (17), 30-31 (19), Aug 1 (20),
        #                                    4-5 (22), 7-8 (24), 11-15 (29), 18 (30); 23, 28-29, Aug 6 hol
        ("2025-03-05", 0, "2025-03-05"),  # n=0 same day (T1), a business day
        ("2025-07-28", 0, "2025-07-30"),  # n=0 on a holiday: 28-29 hol, roll to We 30
        ("2026-12-26", 0, "2026-12-28"),  # n=0 on a Saturday: roll to Mon 28
    ],
)
def test_add_business_days(cal, start, n, expected):
    assert cal.add_business_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-08-04", -1, "2025-08-01"),  # Mon back 1: F 1 Aug
        ("2025-07-30", -2, "2025-07-24"),  # We back: 28-29 hol, weekend; F 25(1) Th 24(2)
    ],
)
def test_add_business_days_backwards_for_reminders(cal, start, n, expected):
    assert cal.add_business_days(D(start), n) == D(expected)


def test_next_business_day_and_rolls(cal):
    assert cal.next_business_day(D("2025-12-05")) == D("2025-12-10")  # F; Sa Su, Mon 8 + Tu 9 hol
    assert cal.next_business_day(D("2025-03-05")) == D("2025-03-06")  # We -> Th
    assert cal.roll_forward(D("2025-03-05")) == D("2025-03-05")  # already a business day
    assert cal.roll_forward(D("2027-03-25")) == D("2027-03-29")  # Th-F Holy Week, weekend
    assert cal.roll_back(D("2027-03-28")) == D("2027-03-24")  # Su, Sa, F-Th Holy Week -> We 24


# ─── LPAG 139 + 134.2: calendar days, rolled to a business day ─────────────────────────────────


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-03-03", 7, "2025-03-10"),  # Mo + 7 = Mo 10, a business day
        ("2025-07-21", 7, "2025-07-30"),  # Mo + 7 = Mo 28 hol; 29 hol; We 30
        ("2025-03-01", 7, "2025-03-10"),  # Sa + 7 = Sa 8; Mon 10
        ("2026-12-01", 7, "2026-12-10"),  # Tu + 7 = Tu 8 hol; We 9 hol; Th 10
        ("2025-12-18", 7, "2025-12-26"),  # Th + 7 = Th 25 hol; F 26
        ("2027-03-18", 7, "2027-03-29"),  # Th + 7 = Th 25 Holy Week; F 26; weekend; Mon 29
        ("2025-01-01", 30, "2025-01-31"),  # + 30 = F 31 Jan
    ],
)
def test_add_calendar_days(cal, start, n, expected):
    assert cal.add_calendar_days(D(start), n) == D(expected)


# ─── LPAG 133.2 + 134.3: months and years, date to date ────────────────────────────────────────


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-01-31", 1, "2025-03-03"),  # no 31 Feb: 1st business day of March (Sa 1, Su 2, Mon 3)
        ("2025-01-15", 1, "2025-02-17"),  # Sa 15 Feb; Mon 17
        ("2025-03-31", 1, "2025-05-02"),  # no 31 Apr: 1 May is a holiday; F 2 May
        ("2026-01-30", 1, "2026-03-02"),  # no 30 Feb 2026: Su 1 Mar; Mon 2
        ("2025-04-28", 3, "2025-07-30"),  # Mo 28 Jul hol; 29 hol; We 30
        ("2025-10-08", 2, "2025-12-10"),  # Mo 8 Dec hol; Tu 9 hol; We 10
        ("2025-11-30", 3, "2026-03-02"),  # no 30 Feb 2026: Su 1 Mar; Mon 2
        ("2025-05-31", 1, "2025-07-01"),  # no 31 Jun: Tu 1 Jul
        ("2024-11-29", 3, "2025-03-03"),  # no 29 Feb 2025: Sa 1 Mar; Mon 3
        ("2026-12-31", 3, "2027-03-31"),  # We 31 Mar 2027 exists
        ("2027-01-29", 1, "2027-03-01"),  # no 29 Feb 2027: Mon 1 Mar
        ("2025-09-15", 3, "2025-12-15"),  # Mo 15 Dec
    ],
)
def test_add_months(cal, start, n, expected):
    assert cal.add_months(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-06-07", 1, "2026-06-08"),  # Su 7 Jun 2026 (and holiday); Mon 8
        ("2024-02-29", 1, "2025-03-03"),  # no 29 Feb 2025: Sa 1 Mar; Mon 3
        ("2028-02-29", 1, "2029-03-01"),  # no 29 Feb 2029: Th 1 Mar 2029
        ("2024-12-09", 3, "2027-12-10"),  # Th 9 Dec 2027 hol; F 10
        ("2023-07-28", 3, "2026-07-30"),  # Tu 28 Jul 2026 hol; We 29 hol; Th 30
        ("2025-03-10", 1, "2026-03-10"),  # Tu 10 Mar 2026
        ("2024-04-02", 2, "2026-04-06"),  # Th 2 Apr 2026 Holy Week; F 3; weekend; Mon 6
    ],
)
def test_add_years(cal, start, n, expected):
    assert cal.add_years(D(start), n) == D(expected)


# ─── business days left ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-07-25", "2025-08-01", 3),  # 30, 31 Jul, 1 Aug
        ("2025-08-01", "2025-07-25", -3),  # reversed
        ("2025-03-05", "2025-03-05", 0),  # same day
        ("2025-12-24", "2026-01-02", 5),  # 26, 29, 30, 31, 2
        ("2025-07-01", "2025-08-18", 30),  # see the 30 DH case above
        ("2025-03-07", "2025-03-09", 0),  # F to Su: only the weekend
        ("2025-04-16", "2025-04-21", 1),  # Holy Week, weekend, Mon 21
    ],
)
def test_business_days_between(cal, a, b, expected):
    assert cal.business_days_between(D(a), D(b)) == expected


# ─── entity-configurable days ──────────────────────────────────────────────────────────────────


def test_extra_non_working_days_from_supreme_decree():
    cal = BusinessCalendar(extra_non_working=[D("2025-12-26"), D("2026-01-02")])
    # We 24; 25 hol; 26 extra; 29(1) 30(2) 31(3); Jan 1 hol; 2 extra; Mon 5(4) Tu 6(5)
    assert cal.add_business_days(D("2025-12-24"), 5) == D("2026-01-06")
    assert cal.business_days_between(D("2025-12-24"), D("2026-01-06")) == 5


def test_regional_holiday():
    cal = BusinessCalendar(extra_non_working=[D("2025-08-15")])
    # Th 14; F 15 regional; weekend; Mon 18(1)
    assert cal.add_business_days(D("2025-08-14"), 1) == D("2025-08-18")


def test_extra_working_day_takes_precedence():
    cal = BusinessCalendar(extra_working=[D("2025-03-08")])
    # F 7; Sa 8 declared working (1)
    assert cal.add_business_days(D("2025-03-07"), 1) == D("2025-03-08")


def test_a_day_cannot_be_both_working_and_non_working():
    with pytest.raises(InvalidInput, match="2025-03-08"):
        BusinessCalendar(extra_non_working=[D("2025-03-08")], extra_working=[D("2025-03-08")])


def test_unknown_country_is_rejected():
    with pytest.raises(InvalidInput, match="country"):
        BusinessCalendar(country="XX")


@pytest.mark.parametrize("n", [-1, 10**9, True, 1.5])
def test_bad_counts_are_rejected(cal, n):
    with pytest.raises(InvalidInput):
        cal.add_calendar_days(D("2025-01-01"), n)


# ─── LPAG 140.1: end of the last day, America/Lima ─────────────────────────────────────────────


def test_deadline_instant_is_the_end_of_the_day_in_lima():
    due = deadline_instant(D("2025-08-01"))
    assert due == datetime(2025, 8, 2, 5, 0, tzinfo=UTC)  # Lima is UTC-5, no daylight saving
    assert due.astimezone(LIMA).isoformat() == "2025-08-02T00:00:00-05:00"
    assert datetime(2025, 8, 1, 23, 59, 59, tzinfo=LIMA) < due


# ─── CLI helper ────────────────────────────────────────────────────────────────────────────────


def test_add_days_cli():
    assert add_days_cli("2025-07-25", 3) == "2025-08-01"  # see above
    closed = BusinessCalendar(extra_non_working=[D("2025-12-26")])
    # We 24; 25 hol, 26 extra, 29(1) 30(2) 31(3), Jan 1 hol, 2(4), Mon 5(5)
    assert add_days_cli("2025-12-24", 5, closed) == "2026-01-05"


@pytest.mark.parametrize(
    ("text", "n", "message"),
    [
        ("2025-02-30", 3, "no such day"),
        ("25/07/2025", 3, "YYYY-MM-DD"),
        ("", 3, "YYYY-MM-DD"),
        ("2025-07-25", -1, "0 or more"),
    ],
)
def test_add_days_cli_rejects_bad_input(text, n, message):
    with pytest.raises(InvalidInput, match=message):
        add_days_cli(text, n)


# ─── properties ────────────────────────────────────────────────────────────────────────────────

DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 10, 31))


@settings(max_examples=150, deadline=None)
@given(start=DATES, n=st.integers(min_value=1, max_value=60))
def test_business_day_count_round_trips(start, n):
    cal = BusinessCalendar()
    due = cal.add_business_days(start, n)
    assert due > start
    assert cal.is_business_day(due)
    assert cal.business_days_between(start, due) == n
    assert cal.business_days_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=100, deadline=None)
@given(start=DATES, n=st.integers(min_value=0, max_value=40))
def test_calendar_days_land_on_the_first_business_day_on_or_after(start, n):
    cal = BusinessCalendar()
    due = cal.add_calendar_days(start, n)
    target = start + timedelta(days=n)
    assert due >= target and cal.is_business_day(due)
    assert cal.business_days_between(target, due - timedelta(days=1)) == 0 or due == target


def test_calendar_cache_shares_one_calendar_per_set_of_extra_days():
    from engine.business_days import CalendarCache

    cache = CalendarCache("PE", size=2)
    first = cache([D("2026-03-04")])
    assert cache((D("2026-03-04"),)) is first  # same days, any iterable: same calendar
    other = cache([])
    assert other is not first and other.is_business_day(D("2026-03-04"))
    assert not first.is_business_day(D("2026-03-04"))
    cache([D("2026-03-05")])  # a third set: the bounded cache starts over
    assert cache([D("2026-03-04")]) is not first
