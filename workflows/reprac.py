"""REPRAC-style export of corruption-linked PADs (PROCESSES.md §3, T21 `pad.reprac`).

RM 298-2012-PCM (Directiva 002-2012-PCM/SGP) asks Poder Ejecutivo entities to report, every quarter,
the disciplinary procedures linked to corruption. The official fields are UNKNOWN (PROCESSES.md
§9.4), so this builds a REPRAC-*style* record from the PAD's allow-listed task data only: ids,
dates, codes and decisions. Names, DNI and narrative never reach task data, so they cannot leak here.

Pure functions: `reprac_rows(cases, year, quarter)` and `quarter_bounds(year, quarter)`; `write_csv`
and `write_xlsx` serialise the rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any

from workflows.pad import AUTHORITIES

COLUMNS = (
    "case_id", "st_file_number", "origin", "origin_case_id", "status", "outcome",
    "fault_date", "knowledge_date", "precalification_date", "opening_notified_on", "defence_date",
    "instruction_report_date", "report_notified_on", "hearing_date", "resolution_date", "resolution_notified_on",
    "challenge", "challenge_filed_on", "reconsideration_result", "appeal_result", "appeal_decided_on",
    "accused_regime", "accused_role_code", "accused_unit_code", "former_servant",
    "fault_code", "sanction_level", "sanction_proposed", "sanction_imposed", "suspension_days",
    "instructing_authority", "deciding_authority", "appeal_body",
    "precautionary_measure", "sanction_final_on", "rnssc_entry_id", "rnssc_registered_on", "prescription_clock",
)
_DATA_FIELDS = tuple(c for c in COLUMNS if c not in {
    "case_id", "origin_case_id", "status", "outcome", "instructing_authority", "deciding_authority", "appeal_body",
})
_CLOSING_DATES = ("rnssc_registered_on", "appeal_decided_on", "resolution_notified_on", "resolution_date")


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter (1-4)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1, 2, 3 or 4")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def _get(case: Mapping, key: str, default: Any = None) -> Any:
    value = case.get(key, default) if isinstance(case, Mapping) else getattr(case, key, default)
    return default if value is None else value


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _active_in(case: Mapping, data: Mapping, first: date, last: date) -> bool:
    """A PAD belongs to a quarter if it started by the quarter's end and had not closed before it began."""
    started = _day(data.get("knowledge_date")) or _day(data.get("precalification_date"))
    if started is None or started > last:
        return False
    if _get(case, "status", "open") != "closed":
        return True
    closed = max((d for d in map(_day, (data.get(k) for k in _CLOSING_DATES)) if d), default=None)
    closed = _day(_get(case, "closed_at")) or closed
    return closed is None or closed >= first


def _origin_case(case: Mapping) -> str | None:
    for link in _get(case, "links", ()):
        relation = _get(link, "relation", "")
        if relation.startswith("started_by") or _get(link, "process_id") == "denuncia":
            return _get(link, "case_id")
    return None


def reprac_row(case: Mapping) -> dict[str, Any]:
    """One export row from one PAD case (a mapping or a CaseView-like object)."""
    data = _get(case, "data", {}) or {}
    row: dict[str, Any] = {k: data.get(k) for k in _DATA_FIELDS}
    row.update(case_id=_get(case, "id"), origin_case_id=_origin_case(case), status=_get(case, "status"),
               outcome=_get(case, "outcome"))
    row.update(AUTHORITIES.get(data.get("sanction_level"), {}))
    return {k: row.get(k) for k in COLUMNS}


def reprac_rows(cases: Iterable[Mapping], year: int | None = None, quarter: int | None = None) -> list[dict]:
    """Rows for the corruption-linked PADs active in the quarter (all of them if no quarter is given)."""
    bounds = quarter_bounds(year, quarter) if year is not None and quarter is not None else None
    rows = []
    for case in cases:
        if _get(case, "process_id", "pad") != "pad":
            continue
        data = _get(case, "data", {}) or {}
        if data.get("corruption_linked") is not True:
            continue
        if bounds is not None and not _active_in(case, data, *bounds):
            continue
        rows.append(reprac_row(case))
    return sorted(rows, key=lambda r: (str(r["st_file_number"] or ""), str(r["case_id"] or "")))


def write_csv(rows: Iterable[Mapping], out: IO[str]) -> None:
    """Write rows as CSV with a header (UTF-8 text stream given by the caller)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in COLUMNS})


def write_xlsx(rows: Iterable[Mapping], path: Path) -> None:
    """Write rows to an .xlsx workbook (openpyxl)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "REPRAC"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_cell(row.get(k)) for k in COLUMNS])
    book.save(path)


def _cell(value: Any) -> Any:
    """Spreadsheet-safe cell: no formula injection from codes typed by officers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
