"""Exports: case lists (CSV, XLSX), the quarterly REPRAC report, and the case file as a PDF.

Every export appends exactly one `export.*` audit entry (SECURITY.md property 8) with the format,
the row count and the fields: never the exported values. Case lists carry plaintext metadata and
allow-listed facts only. The case file PDF carries content, so it is produced for one case at a
time; the complainant's identity is redacted unless the custodian released it to the officer who
asks (SECURITY.md property 3). Its last page is a manifest: the SHA-256 of every section (of its
canonical JSON) and of every attachment's bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.clock import to_lima
from engine.errors import InvalidInput, ProbidadError
from engine.services import audit, content, identity, queries
from engine.services.context import Runtime
from engine.services.reports import FACT_KEYS

BASE_FIELDS = ("id", "process_id", "tenant_id", "status", "stage", "outcome", "created_at", "closed_at",
               "next_due_at")
FACT_FIELDS = tuple(sorted(frozenset().union(*FACT_KEYS.values())))
EXPORT_FIELDS = BASE_FIELDS + FACT_FIELDS
FORMATS = ("csv", "xlsx")
IDENTITY_FIELDS = frozenset({"identity", "contact"})
MAX_ROWS = 50_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """A header and rows, ready to serialise."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_lima(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # no formula injection in spreadsheets (OWASP CSV injection)
    return value


def check_fields(fields: list[str] | None) -> list[str]:
    """The chosen fields (default: the base fields); InvalidInput names unknown ones."""
    chosen = list(fields) if fields else list(BASE_FIELDS)
    unknown = [f for f in chosen if f not in EXPORT_FIELDS]
    if unknown:
        raise InvalidInput(f"unknown export fields: {', '.join(sorted(unknown))}")
    return chosen


def case_table(uow: Any, fields: list[str], tenant: str | None, process_id: str | None,
               status: str | None) -> Table:
    """Case rows with the chosen metadata and fact fields (multi-valued facts joined by '; ')."""
    cases = uow.cases.list(process_id=process_id, tenant_id=tenant, status=status, limit=MAX_ROWS)
    facts: dict[str, dict[str, list[str]]] = {}
    wanted_facts = [f for f in fields if f in FACT_FIELDS]
    if wanted_facts:
        for case_id, _tenant, key, value in uow.reports.fact_rows(wanted_facts, tenant, process_id):
            facts.setdefault(case_id, {}).setdefault(key, []).append(value)
    table = Table(list(fields))
    for case in cases:
        row = []
        for name in fields:
            if name in FACT_FIELDS:
                row.append("; ".join(facts.get(case.id, {}).get(name, [])))
            else:
                row.append(getattr(case, name))
        table.rows.append(row)
    return table


def render(table: Table, fmt: str, sheet: str = "casos") -> bytes:
    """Serialise a table as CSV (UTF-8 with BOM, for spreadsheet programs) or XLSX."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if v is None else _cell(v) for v in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        ws = book.active
        ws.title = sheet[:31]
        ws.append(table.columns)
        for row in table.rows:
            ws.append([_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise InvalidInput(f"format must be one of {', '.join(FORMATS)}")


def export_cases(rt: Runtime, actor: str, fmt: str, fields: list[str] | None = None, tenant: str | None = None,
                 process_id: str | None = None, status: str | None = None) -> bytes:
    """A case list as CSV or XLSX (audited: `export.cases`)."""
    chosen = check_fields(fields)
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}")
    with rt.uow_factory() as uow:
        table = case_table(uow, chosen, tenant, process_id, status)
        data = render(table, fmt)
        audit.record(uow, rt.now(), actor, "export.cases", None,
                     {"format": fmt, "rows": len(table.rows), "fields": chosen, "tenant": tenant,
                      "process_id": process_id, "status": status})
        uow.commit()
    return data


# -- REPRAC ---------------------------------------------------------------------------------
REPRAC_COLUMNS = ["case_id", "tenant_id", "origin", "sanction_level", "resolution_outcome", "sanction_imposed",
                  "status", "outcome", "created_at", "closed_at"]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First day of the quarter and first day of the next one."""
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise InvalidInput("quarter must be 1-4 and year 2000-2100")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def reprac_table(uow: Any, tenant: str | None, year: int, quarter: int) -> Table:
    """Corruption-linked PADs (`corruption_linked`) open at some point of the quarter (RM 298-2012-PCM)."""
    start, end = quarter_bounds(year, quarter)
    keys = ["corruption_linked", "origin", "sanction_level", "resolution_outcome", "sanction_imposed"]
    facts: dict[str, dict[str, str]] = {}
    for case_id, _tenant, key, value in uow.reports.fact_rows(keys, tenant, "pad"):
        facts.setdefault(case_id, {})[key] = value
    table = Table(list(REPRAC_COLUMNS))
    for case in sorted(uow.cases.list(process_id="pad", tenant_id=tenant, limit=MAX_ROWS), key=lambda c: c.id):
        mine = facts.get(case.id, {})
        opened, closed = to_lima(case.created_at).date(), case.closed_at and to_lima(case.closed_at).date()
        if mine.get("corruption_linked") != "true" or opened >= end or (closed and closed < start):
            continue
        table.rows.append([case.id, case.tenant_id, mine.get("origin", ""), mine.get("sanction_level", ""),
                           mine.get("resolution_outcome", ""), mine.get("sanction_imposed", ""), case.status,
                           case.outcome or "", case.created_at, case.closed_at])
    return table


def export_reprac(rt: Runtime, actor: str, fmt: str, year: int, quarter: int, tenant: str | None = None) -> bytes:
    """The quarterly REPRAC report as CSV or XLSX (audited: `export.reprac`)."""
    provider = rt.extras.get("reports.reprac_table")
    with rt.uow_factory() as uow:
        table = provider(uow, tenant, year, quarter) if provider else reprac_table(uow, tenant, year, quarter)
        data = render(table, fmt, "reprac")
        audit.record(uow, rt.now(), actor, "export.reprac", None,
                     {"format": fmt, "rows": len(table.rows), "year": year, "quarter": quarter, "tenant": tenant})
        uow.commit()
    return data


# -- the case file (PDF) ---------------------------------------------------------------------
@dataclass
class CaseFile:
    """A case file: the PDF, the canonical text of each section and the manifest [(name, sha256)]."""

    pdf: bytes
    sections: dict[str, str]
    manifest: list[tuple[str, str]]
    identity_released: bool


def _canonical(rows: Any) -> str:
    return json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def sha256_hex(data: bytes | str) -> str:
    """The hex SHA-256 of bytes or of UTF-8 text."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _identity(rt: Runtime, case_id: str, actor: str, passphrase: str | None) -> dict | None:
    """The identity when the custodian released it to `actor` (and their passphrase opens it), else None."""
    if not passphrase:
        return None
    try:
        return identity.read_identity(rt, rt.uow_factory, case_id, actor, passphrase)
    except ProbidadError:  # no release, wrong passphrase: the identity stays redacted
        return None


def _sections(rt: Runtime, case_id: str, actor: str, passphrase: str | None) -> tuple[dict, list, bool]:
    with rt.uow_factory(readonly=True) as uow:
        view = queries.case_view(rt, uow, case_id)
        trail = uow.audit.for_case(case_id)
    fields = {k: v for k, v in content.read_content(rt, rt.uow_factory, case_id, actor).items()
              if k not in IDENTITY_FIELDS}
    files = []
    for info in content.list_attachments(rt, rt.uow_factory, case_id, actor):
        name, ctype, data = content.read_attachment(rt, rt.uow_factory, case_id, info.id, actor)
        files.append({"id": info.id, "name": name, "type": ctype, "size": len(data), "sha256": sha256_hex(data)})
    released = _identity(rt, case_id, actor, passphrase)
    code = view.data.get("identity_code") or identity.identity_code(rt, rt.uow_factory, case_id)
    who = released if released is not None else {"reserva": f"RESERVADA (código {code or '-'})"}
    sections = {
        "caso": [["id", view.id], ["entidad", view.tenant_id],
                 ["proceso", f"{view.process_id} v{view.process_version}"], ["estado", view.status],
                 ["resultado", view.outcome or ""], ["abierto", _cell(view.created_at)]],
        "variables": sorted([k, v] for k, v in view.data.items()),
        "plazos": [[d.policy or d.name, d.title, _cell(d.due_at), d.state] for d in view.deadlines],
        "contenido": sorted([k, v] for k, v in fields.items()),
        "identidad": sorted([k, v] for k, v in who.items()),
        "adjuntos": [[f["name"], f["type"], f["size"], f["sha256"]] for f in files],
        "historial": [[e.seq, _cell(e.at), e.actor, e.action] for e in trail],
    }
    return sections, files, released is not None


def _pdf(case_id: str, sections: dict[str, list], manifest: list[tuple[str, str]]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    story = [Paragraph(f"Expediente {escape(case_id)}", styles["Title"])]
    for name, rows in sections.items():
        story.append(Paragraph(escape(name.capitalize()), styles["Heading2"]))
        if not rows:
            story.append(Paragraph("(sin datos)", cell))
        else:
            data = [[Paragraph(escape(str(v)), cell) for v in row] for row in rows]
            story.append(PdfTable(data, hAlign="LEFT", repeatRows=0))
        story.append(Spacer(1, 8))
    story += [PageBreak(), Paragraph("Manifiesto SHA-256", styles["Heading2"])]
    story += [Paragraph(f"{escape(name)}: {digest}", styles["Code"]) for name, digest in manifest]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Expediente {case_id}", invariant=1).build(story)
    return buffer.getvalue()


def case_file(rt: Runtime, case_id: str, actor: str, passphrase: str | None = None) -> CaseFile:
    """The case file as a PDF with a hash manifest (audited: `export.case_file`)."""
    sections, files, released = _sections(rt, case_id, actor, passphrase)
    canonical = {name: _canonical(rows) for name, rows in sections.items()}
    manifest = [(f"section:{name}", sha256_hex(text)) for name, text in canonical.items()]
    manifest += [(f"attachment:{f['id']}", f["sha256"]) for f in files]
    pdf = _pdf(case_id, sections, manifest)
    with rt.uow_factory() as uow:
        audit.record(uow, rt.now(), actor, "export.case_file", case_id,
                     {"format": "pdf", "sections": len(sections), "attachments": len(files),
                      "identity_released": released, "sha256": sha256_hex(pdf)})
        uow.commit()
    return CaseFile(pdf, canonical, manifest, released)
