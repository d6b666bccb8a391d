"""The Peruvian working calendar and the LPAG rules for counting terms (Ley 27444, arts. 133-140).

- LPAG 133.1 / 134.1: a term in days starts on the business day after notification and counts
  consecutive business days (``add_business_days``).
- LPAG 139: calendar days only where a norm says so (``add_calendar_days``).
- LPAG 133.2 / 134.3: months and years run date to date from the notification itself; if the
  target month lacks the day, the term ends on the first business day of the next month
  (``add_months``, ``add_years``).
- LPAG 134.2: a term whose last day is not a business day moves to the next business day.
- LPAG 140.1: a term expires at the end of its last day (``deadline_instant``, America/Lima).

Non-business days (LPAG 134.1): Saturdays, Sundays, national holidays (from the ``holidays``
package, computed lazily per year and cached on the calendar) and the entity-configurable days the
engine loads from the database (public-sector non-working days declared by supreme decree, regional
holidays, closures), passed in as ``extra_non_working``. See docs/deadlines.md.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from engine.domain.sla import LIMA, deadline_instant
from engine.errors import InvalidInput

__all__ = ["LIMA", "BusinessCalendar", "CalendarCache", "add_days_cli", "deadline_instant"]

MAX_DAYS = 36_600  # about a century: bounds every day count, so bad input cannot loop for long
MAX_MONTHS = 1_200
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ONE_DAY = timedelta(days=1)


def _check_count(n: int, limit: int, *, allow_negative: bool = False) -> None:
    """Reject counts that are not integers, negative (unless allowed) or absurdly large."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput(f"a term length must be an integer, not {type(n).__name__}")
    if n < 0 and not allow_negative:
        raise InvalidInput(f"a term length must not be negative (got {n})")
    if abs(n) > limit:
        raise InvalidInput(f"a term length of {n} is out of range (at most {limit})")


def _shift_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) moved ``n`` months forward."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


class BusinessCalendar:
    """Business days of a Peruvian public entity (LPAG 134.1).

    ``extra_non_working``: entity-configurable non-business days (supreme-decree public-sector
    days, regional holidays, closures). ``extra_working``: days declared working although they
    fall on a weekend or holiday; they take precedence. A date may not be in both lists.
    """

    def __init__(
        self,
        country: str = "PE",
        extra_non_working: Iterable[date] = (),
        extra_working: Iterable[date] = (),
    ):
        code = country.upper()
        if code not in holidays.list_supported_countries():
            raise InvalidInput(f"unknown calendar country '{country}'")
        self.country = code
        self.extra_non_working = frozenset(extra_non_working)
        self.extra_working = frozenset(extra_working)
        both = self.extra_non_working & self.extra_working
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise InvalidInput(f"days declared both working and non-working: {days}")
        self._national: dict[int, dict[date, str]] = {}

    def national_holidays(self, year: int) -> dict[date, str]:
        """National holidays of ``year`` (date → English name), computed once per year."""
        cached = self._national.get(year)
        if cached is None:
            table = holidays.country_holidays(self.country, years=year)
            cached = {d: str(name) for d, name in sorted(table.items()) if d.year == year}
            self._national[year] = cached
        return cached

    def is_business_day(self, d: date) -> bool:
        """LPAG 134.1: not a weekend, national holiday or entity non-working day."""
        if d in self.extra_working:
            return True
        if d in self.extra_non_working or d.weekday() >= 5:
            return False
        return d not in self.national_holidays(d.year)

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        return self.roll_forward(d + _ONE_DAY)

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a business day, else the next one (LPAG 134.2)."""
        for _ in range(MAX_DAYS):
            if self.is_business_day(d):
                return d
            d += _ONE_DAY
        raise InvalidInput("no business day found within a century")

    def roll_back(self, d: date) -> date:
        """``d`` if it is a business day, else the previous one (used to send reminders early)."""
        for _ in range(MAX_DAYS):
            if self.is_business_day(d):
                return d
            d -= _ONE_DAY
        raise InvalidInput("no business day found within a century")

    def add_business_days(self, start: date, n: int) -> date:
        """The last day of a term of ``n`` business days notified on ``start``.

        LPAG 133.1 / 134.1: the count starts on the business day after ``start`` and the result
        is the n-th business day strictly after it (``start`` itself never counts, even if it is
        a business day). ``n = 0`` means "the same day" (LPAG 132.1, T1): ``roll_forward(start)``.
        A negative ``n`` counts back: the |n|-th business day strictly before ``start``
        (used for reminders, not for terms).
        """
        _check_count(n, MAX_DAYS, allow_negative=True)
        if n == 0:
            return self.roll_forward(start)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining, day = abs(n), start
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: date, n: int) -> date:
        """LPAG 139 + 134.2: ``start + n`` calendar days, rolled forward to a business day."""
        _check_count(n, MAX_DAYS)
        return self.roll_forward(start + timedelta(days=n))

    def add_months(self, start: date, n: int) -> date:
        """LPAG 133.2 + 134.3: date to date from the notification itself, ``n`` months later.

        If the target month lacks the day (31 Jan + 1 month), the term ends on the first business
        day of the following month; any other non-business last day rolls forward (LPAG 134.2).
        """
        _check_count(n, MAX_MONTHS)
        year, month = _shift_months(start.year, start.month, n)
        return self._date_or_next_month(year, month, start.day)

    def add_years(self, start: date, n: int) -> date:
        """LPAG 133.2 + 134.3: date to date, ``n`` years later (29 Feb → first business day of March)."""
        _check_count(n, MAX_MONTHS // 12)
        return self._date_or_next_month(start.year + n, start.month, start.day)

    def _date_or_next_month(self, year: int, month: int, day: int) -> date:
        """LPAG 134.3: (year, month, day) if it exists, else the first business day of the next month."""
        if day <= _stdcal.monthrange(year, month)[1]:
            return self.roll_forward(date(year, month, day))
        next_year, next_month = _shift_months(year, month, 1)
        return self.roll_forward(date(next_year, next_month, 1))

    def business_days_between(self, a: date, b: date) -> int:
        """Business days after ``a`` up to and including ``b``; negative when ``b < a``.

        Inverse of ``add_business_days``: ``business_days_between(s, add_business_days(s, n)) == n``
        for ``n >= 1``. Used to show "business days left".
        """
        if b < a:
            return -self.business_days_between(b, a)
        if (b - a).days > MAX_DAYS:
            raise InvalidInput("the two dates are more than a century apart")
        count, day = 0, a
        while day < b:
            day += _ONE_DAY
            count += self.is_business_day(day)
        return count


def add_days_cli(date_text: str, n: int, calendar: BusinessCalendar | None = None) -> str:
    """``probidad calendar add-days DATE N``: the last day of an N-business-day term notified on DATE.

    Returns ``YYYY-MM-DD``. Raises InvalidInput for a malformed or impossible date, or N < 0.
    """
    text = date_text.strip()
    if not _ISO_DATE.match(text):
        raise InvalidInput(f"invalid date '{date_text}': use YYYY-MM-DD")
    try:
        start = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"invalid date '{date_text}': no such day") from None
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInput(f"invalid number of days '{n}': use a whole number, 0 or more")
    try:
        due = (calendar or BusinessCalendar()).add_business_days(start, n)
    except OverflowError:
        raise InvalidInput(f"{n} business days after {text} is beyond the supported dates") from None
    return due.isoformat()


class CalendarCache:
    """Calendars by set of extra non-working days, built once each (issue 10).

    Every command needs its entity's calendar; building one anew threw away the national holidays it
    had computed. Calendars are immutable apart from that per-year memo, so one per set of extra days
    is shared (at most `size` sets are kept; an entity that edits its days simply gets a new one).
    """

    def __init__(self, country: str = "PE", size: int = 64):
        self.country = country
        self.size = size
        self._items: dict[frozenset[date], BusinessCalendar] = {}

    def __call__(self, extra_non_working: Iterable[date] = ()) -> BusinessCalendar:
        """The calendar with these extra non-working days."""
        key = frozenset(extra_non_working)
        calendar = self._items.get(key)
        if calendar is None:
            calendar = BusinessCalendar(self.country, extra_non_working=key)
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = calendar
        return calendar
