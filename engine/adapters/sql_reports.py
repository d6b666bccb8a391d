"""SQL repositories of the reports feature: aggregates, case facts, API tokens, retention.

Aggregates run in SQL (GROUP BY / COUNT) so a dashboard never loads every case's workflow state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import and_, delete, distinct, func, insert, select, update
from sqlalchemy.engine import Connection

from engine.adapters import schema as t
from engine.adapters import schema_reports as r
from engine.adapters import sql_statements as q
from engine.adapters.db import aware
from engine.adapters.sql_fast import run


def _ns(row) -> SimpleNamespace:
    data = dict(row._mapping)
    return SimpleNamespace(**{k: aware(v) if isinstance(v, datetime) else v for k, v in data.items()})


def _scope(query, columns, tenant_id: str | None, process_id: str | None):
    tenant_col, process_col = columns
    if tenant_id is not None:
        query = query.where(tenant_col == tenant_id)
    if process_id is not None:
        query = query.where(process_col == process_id)
    return query


class SqlReports:
    """Read-side aggregates over cases, tasks and timers, and the case-facts projection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # -- case facts --------------------------------------------------------------------------
    def replace_facts(self, case_id: str, tenant_id: str, process_id: str, facts: Iterable[tuple[str, str]]) -> None:
        """Make a case's facts exactly `facts` (no write when nothing changed)."""
        wanted = set(facts)
        have = {(row.key, row.value) for row in run(self.conn, q.facts_of_case(r.case_facts), {"b_case": case_id})}
        gone = [{"b_case": case_id, "b_key": key, "b_value": value} for key, value in sorted(have - wanted)]
        if gone:
            run(self.conn, q.fact_delete(r.case_facts), gone)
        added = [{"case_id": case_id, "tenant_id": tenant_id, "process_id": process_id, "key": key, "value": value}
                 for key, value in sorted(wanted - have)]
        if added:
            run(self.conn, q.fact_insert(r.case_facts), added)

    def delete_facts(self, case_id: str) -> int:
        """Drop a case's facts (shredding)."""
        return self.conn.execute(delete(r.case_facts).where(r.case_facts.c.case_id == case_id)).rowcount

    def facts(self, case_id: str) -> list[tuple[str, str]]:
        """A case's facts."""
        c = r.case_facts.c
        return [(row.key, row.value) for row in self.conn.execute(
            select(c.key, c.value).where(c.case_id == case_id).order_by(c.key, c.value)).all()]

    def fact_counts(self, key: str, tenant_id: str | None = None, process_id: str | None = None,
                    status: str | None = None) -> list[tuple[str, str, int]]:
        """(tenant, value, number of distinct cases) for one fact key."""
        f, c = r.case_facts.c, t.cases.c
        query = (select(f.tenant_id, f.value, func.count(distinct(f.case_id)))
                 .join(t.cases, c.id == f.case_id).where(f.key == key))
        query = _scope(query, (f.tenant_id, f.process_id), tenant_id, process_id)
        if status is not None:
            query = query.where(c.status == status)
        return [tuple(row) for row in self.conn.execute(query.group_by(f.tenant_id, f.value)).all()]

    def fact_sums(self, key: str, tenant_id: str | None = None, process_id: str | None = None) -> list[tuple[str, int]]:
        """(tenant, sum of an integer fact) — e.g. adverse situations corrected."""
        f = r.case_facts.c
        rows = self.conn.execute(_scope(select(f.tenant_id, f.value).where(f.key == key),
                                        (f.tenant_id, f.process_id), tenant_id, process_id)).all()
        sums: dict[str, int] = {}
        for tenant, value in rows:
            if str(value).isdigit():
                sums[tenant] = sums.get(tenant, 0) + int(value)
        return sorted(sums.items())

    def fact_rows(self, keys: Iterable[str], tenant_id: str | None = None,
                  process_id: str | None = None) -> list[tuple[str, str, str, str]]:
        """(case_id, tenant, key, value) for the given keys."""
        f = r.case_facts.c
        query = select(f.case_id, f.tenant_id, f.key, f.value).where(f.key.in_(list(keys)))
        query = _scope(query, (f.tenant_id, f.process_id), tenant_id, process_id)
        return [tuple(row) for row in self.conn.execute(query.order_by(f.case_id, f.key)).all()]

    # -- cases -------------------------------------------------------------------------------
    def status_counts(self, tenant_id: str | None = None, process_id: str | None = None) -> list[tuple]:
        """(tenant, process, status, count)."""
        c = t.cases.c
        query = select(c.tenant_id, c.process_id, c.status, func.count())
        query = _scope(query, (c.tenant_id, c.process_id), tenant_id, process_id)
        return [tuple(row) for row in self.conn.execute(
            query.group_by(c.tenant_id, c.process_id, c.status)).all()]

    def count_open_created_between(self, start: datetime | None, end: datetime | None,
                                   tenant_id: str | None = None, process_id: str | None = None) -> int:
        """Open cases created in [start, end) (either bound may be None)."""
        c = t.cases.c
        query = select(func.count()).select_from(t.cases).where(c.status == "open")
        if start is not None:
            query = query.where(c.created_at >= start)
        if end is not None:
            query = query.where(c.created_at < end)
        return int(self.conn.execute(_scope(query, (c.tenant_id, c.process_id), tenant_id, process_id)).scalar_one())

    def count_open_at(self, instant: datetime, tenant_id: str | None = None, process_id: str | None = None) -> int:
        """Cases created at or before `instant` and not closed by then (the backlog at that instant)."""
        c = t.cases.c
        query = select(func.count()).select_from(t.cases).where(
            c.created_at <= instant, (c.closed_at.is_(None)) | (c.closed_at > instant))
        return int(self.conn.execute(_scope(query, (c.tenant_id, c.process_id), tenant_id, process_id)).scalar_one())

    def outcome_counts(self, process_id: str, tenant_id: str | None = None) -> list[tuple]:
        """(tenant, outcome or None while open, count) for one process (shredded cases excluded)."""
        c = t.cases.c
        query = select(c.tenant_id, c.outcome, func.count()).where(c.process_id == process_id,
                                                                    c.status != "shredded")
        if tenant_id is not None:
            query = query.where(c.tenant_id == tenant_id)
        return [tuple(row) for row in self.conn.execute(query.group_by(c.tenant_id, c.outcome)).all()]

    def tenants(self) -> list[str]:
        """Every tenant with at least one case."""
        c = t.cases.c
        return [row[0] for row in self.conn.execute(select(c.tenant_id).distinct().order_by(c.tenant_id)).all()]

    # -- deadlines and durations ------------------------------------------------------------
    def deadline_rows(self, tenant_id: str | None = None, process_id: str | None = None) -> list[SimpleNamespace]:
        """Every timer with a policy, with its case and the completion of the task it guards."""
        tm, c, tk = t.timers.c, t.cases.c, t.tasks.c
        guarded = and_(tk.case_id == tm.case_id, tk.name == tm.attached_to, tk.created_at == tm.started_at)
        query = (select(tm.id, tm.case_id, tm.tenant_id, c.process_id, tm.policy, tm.name, tm.attached_to,
                        tm.due_at, tm.state, tm.fired_at, c.closed_at, tk.completed_at.label("task_completed_at"))
                 .join(t.cases, c.id == tm.case_id).outerjoin(t.tasks, guarded).where(tm.policy.is_not(None)))
        query = _scope(query, (tm.tenant_id, c.process_id), tenant_id, process_id)
        return [_ns(row) for row in self.conn.execute(query.order_by(tm.id)).all()]

    def first_completions(self, process_id: str, task_name: str,
                          tenant_id: str | None = None) -> list[tuple[str, str, datetime, datetime | None]]:
        """(tenant, status, created_at, first completion of the named task or None) per case of a process."""
        c, tk = t.cases.c, t.tasks.c
        done = (select(tk.case_id, func.min(tk.completed_at).label("done_at"))
                .where(tk.name == task_name, tk.state == "completed").group_by(tk.case_id).subquery())
        query = (select(c.tenant_id, c.status, c.created_at, done.c.done_at).outerjoin(done, done.c.case_id == c.id)
                 .where(c.process_id == process_id, c.status != "shredded"))
        if tenant_id is not None:
            query = query.where(c.tenant_id == tenant_id)
        return [(row[0], row[1], aware(row[2]), aware(row[3]) if row[3] else None)
                for row in self.conn.execute(query).all()]


class SqlApiTokens:
    """Per-system API tokens; only their HMAC is stored."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **values) -> None:
        """Store a new token row."""
        self.conn.execute(insert(r.api_tokens).values(**values))

    def by_hash(self, token_hash: str) -> SimpleNamespace | None:
        """The token row with this hash, or None."""
        row = self.conn.execute(select(r.api_tokens).where(r.api_tokens.c.token_hash == token_hash)).first()
        return _ns(row) if row else None

    def get(self, token_id: str) -> SimpleNamespace | None:
        """One token row by id."""
        row = self.conn.execute(select(r.api_tokens).where(r.api_tokens.c.id == token_id)).first()
        return _ns(row) if row else None

    def list(self) -> list[SimpleNamespace]:
        """Every token row (hashes included; callers drop them)."""
        return [_ns(row) for row in self.conn.execute(select(r.api_tokens).order_by(r.api_tokens.c.created_at)).all()]

    def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark a token revoked; False if unknown or already revoked."""
        c = r.api_tokens.c
        return self.conn.execute(update(r.api_tokens).where(c.id == token_id, c.revoked_at.is_(None))
                                 .values(revoked_at=at)).rowcount > 0

    def touch(self, token_id: str, at: datetime) -> None:
        """Record the last use of a token."""
        self.conn.execute(update(r.api_tokens).where(r.api_tokens.c.id == token_id).values(last_used_at=at))


class SqlRetention:
    """Retention policies per entity and process, and legal holds per case."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def set_policy(self, tenant_id: str, process_id: str, years: int, actor: str, at: datetime) -> None:
        """Create or change a retention policy."""
        c = r.retention_policies.c
        values = {"years": years, "set_by": actor, "set_at": at}
        done = self.conn.execute(update(r.retention_policies)
                                 .where(c.tenant_id == tenant_id, c.process_id == process_id).values(**values))
        if done.rowcount == 0:
            self.conn.execute(insert(r.retention_policies).values(tenant_id=tenant_id, process_id=process_id,
                                                                  **values))

    def policies(self, tenant_id: str | None = None) -> list[SimpleNamespace]:
        """Retention policies (of one entity when given)."""
        c = r.retention_policies.c
        query = select(r.retention_policies)
        if tenant_id is not None:
            query = query.where(c.tenant_id == tenant_id)
        return [_ns(row) for row in self.conn.execute(query.order_by(c.tenant_id, c.process_id)).all()]

    def add_hold(self, case_id: str, basis: str, actor: str, at: datetime) -> None:
        """Put a case on legal hold."""
        self.conn.execute(insert(r.legal_holds).values(case_id=case_id, basis=basis, active=True, set_by=actor,
                                                       set_at=at))

    def release_hold(self, case_id: str, actor: str, at: datetime) -> int:
        """Release every active hold of a case; how many were released."""
        c = r.legal_holds.c
        return self.conn.execute(update(r.legal_holds).where(c.case_id == case_id, c.active)
                                 .values(active=False, released_by=actor, released_at=at)).rowcount

    def held(self, case_id: str) -> bool:
        """True when the case has an active legal hold."""
        c = r.legal_holds.c
        return self.conn.execute(select(func.count()).select_from(r.legal_holds)
                                 .where(c.case_id == case_id, c.active)).scalar_one() > 0

    def expired_cases(self, tenant_id: str, process_id: str, closed_before: datetime) -> list[str]:
        """Closed cases of an entity and process closed before the cutoff and not on hold."""
        c, h = t.cases.c, r.legal_holds.c
        on_hold = select(h.case_id).where(h.active)
        query = select(c.id).where(c.tenant_id == tenant_id, c.process_id == process_id, c.status == "closed",
                                   c.closed_at.is_not(None), c.closed_at < closed_before, c.id.not_in(on_hold))
        return [row[0] for row in self.conn.execute(query.order_by(c.closed_at, c.id)).all()]
