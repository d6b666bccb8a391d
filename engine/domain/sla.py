"""SLA policies: how long each timer of a case runs, and when it reminds and escalates.

The figures live in ``workflows/policies.toml`` (one ``[[policy]]`` per timer of PROCESSES.md §6).
This module loads and validates them, applies entity overrides, and turns a policy plus a start
instant into a due instant. It is framework-free (stdlib only): the working-day arithmetic comes
from any object satisfying :class:`WorkingCalendar`, normally ``engine.business_days.BusinessCalendar``.

Counting rules (Ley 27444, LPAG, original numbering):
- LPAG 133.1 / 134.1: a term in days starts on the business day after notification and counts
  consecutive business days; LPAG 139: calendar days only where a norm says so.
- LPAG 133.2 / 134.3: months and years run date to date from the notification itself.
- LPAG 134.2: a term whose last day is not a business day moves to the next business day.
- LPAG 140.1: a term expires at the end of its last day, here the end of that day in America/Lima.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from engine.errors import InvalidInput, NotFound

LIMA = ZoneInfo("America/Lima")
REMINDER_HOUR = 8  # reminders fire at 08:00 Lima time, the start of a public office's day


class Unit(StrEnum):
    """How a policy's length is counted."""

    BUSINESS_DAYS = "business_days"  # LPAG 133.1, 134.1
    CALENDAR_DAYS = "calendar_days"  # LPAG 139, rolled per 134.2
    MONTHS = "months"  # LPAG 133.2, 134.3
    YEARS = "years"  # LPAG 133.2, 134.3
    EVENT = "event"  # ends on a business event (e.g. the PAD ends); no computed due date
    IMMEDIATE = "immediate"  # due at the start instant itself (e.g. the tracking code)


REMINDER_UNITS = (Unit.BUSINESS_DAYS, Unit.CALENDAR_DAYS)
CONFIDENCES = ("H", "M", "L")

_CALENDAR_METHOD = {
    Unit.BUSINESS_DAYS: "add_business_days",
    Unit.CALENDAR_DAYS: "add_calendar_days",
    Unit.MONTHS: "add_months",
    Unit.YEARS: "add_years",
}
_ID_RE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z0-9_]*$")
_TIMER_RE = re.compile(r"^(T[1-9][0-9]?)?$")
_FIELD_TYPES: dict[str, type] = {
    "id": str,
    "timer": str,
    "title_es": str,
    "title_en": str,
    "length": int,
    "unit": str,
    "starts": str,
    "reminders": list,
    "reminder_unit": str,
    "escalation": list,
    "on_missed": str,
    "basis": str,
    "confidence": str,
    "verified": bool,
    "notes": str,
}
_OPTIONAL = {"notes": ""}


class WorkingCalendar(Protocol):
    """The calendar arithmetic the SLA rules need; ``BusinessCalendar`` satisfies it."""

    def is_business_day(self, d: date) -> bool: ...

    def roll_forward(self, d: date) -> date: ...

    def roll_back(self, d: date) -> date: ...

    def add_business_days(self, start: date, n: int) -> date: ...

    def add_calendar_days(self, start: date, n: int) -> date: ...

    def add_months(self, start: date, n: int) -> date: ...

    def add_years(self, start: date, n: int) -> date: ...


class InvalidPolicies(InvalidInput):
    """A policy file with problems; ``problems`` lists every one of them."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class SlaPolicy:
    """One timer's policy. ``verified`` is False for every default not read in a source."""

    id: str
    timer: str
    title_es: str
    title_en: str
    length: int
    unit: Unit
    starts: str
    reminders: tuple[int, ...]
    reminder_unit: Unit
    escalation: tuple[str, ...]
    on_missed: str
    basis: str
    confidence: str
    verified: bool
    notes: str = ""

    @property
    def computable(self) -> bool:
        """True when the policy yields a due instant (every unit but ``event``)."""
        return self.unit is not Unit.EVENT


def deadline_instant(d: date) -> datetime:
    """The aware UTC instant at which a term whose last day is ``d`` expires.

    LPAG 140.1: a term expires at the end of its last day. The end of day ``d`` in America/Lima
    is represented as 00:00 of the next day in Lima, converted to UTC (05:00 UTC of ``d + 1``).
    A timer is therefore overdue when ``now >= deadline_instant(d)``.
    """
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=LIMA).astimezone(UTC)


def lima_date(moment: datetime) -> date:
    """The calendar date in America/Lima of an aware instant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a deadline start must be a timezone-aware instant")
    return moment.astimezone(LIMA).date()


def compute_due(policy: SlaPolicy, start: datetime, calendar: WorkingCalendar) -> datetime:
    """The aware UTC instant at which ``policy`` expires for a timer started at ``start``.

    ``start`` is the notification or receipt instant; its Lima date is the notification date.
    Days (LPAG 133.1, 134.1) count from the next business day; months and years (LPAG 133.2,
    134.3) run date to date; a non-business last day rolls forward (LPAG 134.2); the result is
    the end of the last day in Lima (LPAG 140.1). ``immediate`` policies are due at ``start``;
    ``event`` policies have no due date and raise InvalidInput.
    """
    if policy.unit is Unit.IMMEDIATE:
        lima_date(start)
        return start.astimezone(UTC)
    if policy.unit is Unit.EVENT:
        raise InvalidInput(f"policy '{policy.id}' is event-driven and has no computed due date")
    method = getattr(calendar, _CALENDAR_METHOD[policy.unit])
    return deadline_instant(method(lima_date(start), policy.length))


def reminder_instants(
    policy: SlaPolicy,
    due: datetime,
    calendar: WorkingCalendar,
    not_before: datetime | None = None,
) -> list[datetime]:
    """The reminder instants for a timer due at ``due``, earliest first, all before ``due``.

    Each reminder ``k`` in ``policy.reminders`` fires at 08:00 Lima on the day ``k`` days before
    the term's last day: ``k`` business days back for ``reminder_unit = business_days``;
    ``k`` calendar days back for ``calendar_days``, moved back to the previous business day when
    that day is not one (so a reminder is never later than promised). Reminders earlier than
    ``not_before`` (usually the timer's start) are dropped. Returned instants are aware UTC.
    """
    last_day = lima_date(due - timedelta(microseconds=1))
    instants = set()
    for k in policy.reminders:
        if policy.reminder_unit is Unit.BUSINESS_DAYS:
            day = calendar.add_business_days(last_day, -k) if k else calendar.roll_back(last_day)
        else:
            day = calendar.roll_back(last_day - timedelta(days=k))
        moment = datetime.combine(day, time(REMINDER_HOUR), tzinfo=LIMA).astimezone(UTC)
        if moment < due and (not_before is None or moment >= not_before):
            instants.add(moment)
    return sorted(instants)


def _type_problems(where: str, entry: Mapping[str, Any]) -> list[str]:
    """Missing, unknown and mistyped fields of one TOML entry."""
    problems = [f"{where}: unknown field '{key}'" for key in entry if key not in _FIELD_TYPES]
    for key, kind in _FIELD_TYPES.items():
        if key not in entry:
            if key not in _OPTIONAL:
                problems.append(f"{where}: missing field '{key}'")
            continue
        value = entry[key]
        wrong_bool = kind is int and isinstance(value, bool)
        if wrong_bool or not isinstance(value, kind):
            problems.append(f"{where}: field '{key}' must be of type {kind.__name__}")
    return problems


def _list_problems(where: str, entry: Mapping[str, Any]) -> list[str]:
    """Checks on the list fields (reminders, escalation)."""
    problems = []
    reminders = entry["reminders"]
    if any(isinstance(k, bool) or not isinstance(k, int) or k < 0 for k in reminders):
        problems.append(f"{where}: reminders must be non-negative integers")
    if any(not isinstance(role, str) or not role for role in entry["escalation"]):
        problems.append(f"{where}: escalation must list role names")
    if entry["unit"] in (Unit.EVENT, Unit.IMMEDIATE) and reminders:
        problems.append(f"{where}: a '{entry['unit']}' policy cannot have reminders")
    return problems


def _value_problems(where: str, entry: Mapping[str, Any]) -> list[str]:
    """Checks on the values of a well-typed entry."""
    problems = []
    if not _ID_RE.match(entry["id"]):
        problems.append(f"{where}: id must look like 'process.name' (lowercase)")
    if not _TIMER_RE.match(entry["timer"]):
        problems.append(f"{where}: timer must be a T-number such as 'T7' or empty")
    if entry["unit"] not in tuple(Unit):
        problems.append(f"{where}: unknown unit '{entry['unit']}' (use one of {', '.join(Unit)})")
    elif entry["unit"] in (Unit.EVENT, Unit.IMMEDIATE) and entry["length"] != 0:
        problems.append(f"{where}: a '{entry['unit']}' policy must have length 0")
    if entry["length"] < 0:
        problems.append(f"{where}: length must not be negative")
    return problems + _text_problems(where, entry) + _list_problems(where, entry)


def _text_problems(where: str, entry: Mapping[str, Any]) -> list[str]:
    """Checks on the reminder unit, confidence and descriptive texts."""
    problems = []
    if entry["reminder_unit"] not in REMINDER_UNITS:
        problems.append(f"{where}: reminder_unit must be business_days or calendar_days")
    if entry["confidence"] not in CONFIDENCES:
        problems.append(f"{where}: confidence must be H, M or L")
    elif entry["confidence"] == "L" and entry["verified"]:
        problems.append(f"{where}: a confidence-L figure cannot be verified")
    for key in ("title_es", "title_en", "starts", "on_missed", "basis"):
        if not entry[key].strip():
            problems.append(f"{where}: field '{key}' must not be empty")
    return problems


def _entry_problems(index: int, entry: Any) -> list[str]:
    """Every problem of one ``[[policy]]`` entry."""
    if not isinstance(entry, dict):
        return [f"policy #{index}: must be a table"]
    name = entry.get("id")
    where = f"policy #{index} ({name})" if isinstance(name, str) else f"policy #{index}"
    return _type_problems(where, entry) or _value_problems(where, entry)


def _build(entry: Mapping[str, Any]) -> SlaPolicy:
    """A validated TOML entry as a SlaPolicy."""
    values = {**_OPTIONAL, **entry}
    values["unit"] = Unit(values["unit"])
    values["reminder_unit"] = Unit(values["reminder_unit"])
    values["reminders"] = tuple(sorted(set(values["reminders"]), reverse=True))
    values["escalation"] = tuple(values["escalation"])
    return SlaPolicy(**values)


def _parse(text: str, source: str) -> list[SlaPolicy]:
    """Parse and validate policy TOML; raise InvalidPolicies listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidPolicies(source, [f"not valid TOML: {exc}"]) from None
    entries = document.get("policy")
    if not isinstance(entries, list) or not entries:
        raise InvalidPolicies(source, ["no [[policy]] entries"])
    problems = [p for i, entry in enumerate(entries, start=1) for p in _entry_problems(i, entry)]
    problems += [f"top-level key '{key}' is not allowed" for key in document if key != "policy"]
    ids = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
    problems += [f"duplicate id '{d}'" for d in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise InvalidPolicies(source, problems)
    return [_build(entry) for entry in entries]


class PolicySet:
    """The SLA policies in force, by id. Immutable: overrides return a new set."""

    def __init__(self, policies: list[SlaPolicy]):
        self._by_id = {policy.id: policy for policy in policies}

    @classmethod
    def from_text(cls, text: str, source: str = "<policies>") -> PolicySet:
        """Load and validate policies from TOML text (InvalidInput lists every problem)."""
        return cls(_parse(text, source))

    @classmethod
    def from_toml(cls, path: str | Path) -> PolicySet:
        """Load and validate policies from a TOML file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}: cannot read the policy file ({exc.__class__.__name__})") from None
        return cls.from_text(text, source=str(path))

    def get(self, policy_id: str) -> SlaPolicy:
        """The policy with this id; NotFound if there is none."""
        try:
            return self._by_id[policy_id]
        except KeyError:
            raise NotFound(f"unknown SLA policy '{policy_id}'") from None

    def ids(self) -> tuple[str, ...]:
        """Every policy id, in file order."""
        return tuple(self._by_id)

    def timers(self) -> frozenset[str]:
        """The PROCESSES.md §6 T-numbers covered by the set."""
        return frozenset(p.timer for p in self._by_id.values() if p.timer)

    def __iter__(self) -> Iterator[SlaPolicy]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, policy_id: object) -> bool:
        return policy_id in self._by_id

    def with_overrides(self, mapping: Mapping[str, int]) -> PolicySet:
        """A new set with the lengths an entity configured (the audit is the service's job).

        Unknown ids, non-integer or negative lengths, and lengths for ``event`` or
        ``immediate`` policies are rejected together in one InvalidInput.
        """
        problems = []
        for policy_id, length in mapping.items():
            policy = self._by_id.get(policy_id)
            if policy is None:
                problems.append(f"override for unknown policy '{policy_id}'")
            elif isinstance(length, bool) or not isinstance(length, int) or length < 0:
                problems.append(f"override for '{policy_id}' must be a non-negative integer")
            elif policy.unit in (Unit.EVENT, Unit.IMMEDIATE):
                problems.append(f"override for '{policy_id}': a '{policy.unit}' policy has no length")
        if problems:
            raise InvalidPolicies("overrides", problems)
        merged = {**self._by_id}
        for policy_id, length in mapping.items():
            merged[policy_id] = replace(merged[policy_id], length=length)
        return PolicySet(list(merged.values()))
