"""The SQL unit of work: one connection, one transaction, one commit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from engine.adapters import schema as t
from engine.adapters import sql_statements as q
from engine.adapters.sql_fast import run
from engine.adapters.sql_repos import (
    SqlAudit,
    SqlCases,
    SqlDefinitions,
    SqlLinks,
    SqlStates,
    SqlTasks,
    SqlTimers,
)
from engine.errors import StoreError


class SqlCalendar:
    """Extra non-working days and SLA overrides per entity."""

    def __init__(self, conn):
        self.conn = conn

    def extra_days(self, tenant_id: str) -> list[date]:
        """Extra non-working days of an entity."""
        return [r.day for r in run(self.conn, q.extra_days_of_tenant(), {"b_tenant": tenant_id}).all()]

    def add_extra_day(self, tenant_id: str, day: date, reason: str) -> None:
        """Add (or re-describe) an extra non-working day."""
        c = t.calendar_days.c
        result = self.conn.execute(update(t.calendar_days).where(c.tenant_id == tenant_id, c.day == day)
                                   .values(reason=reason))
        if result.rowcount == 0:
            self.conn.execute(insert(t.calendar_days).values(tenant_id=tenant_id, day=day, reason=reason))

    def remove_extra_day(self, tenant_id: str, day: date) -> bool:
        """Remove an extra non-working day; False if it was not there."""
        c = t.calendar_days.c
        return self.conn.execute(delete(t.calendar_days).where(c.tenant_id == tenant_id, c.day == day)).rowcount > 0

    def list_days(self, tenant_id: str) -> list[tuple[date, str]]:
        """Extra days with their reasons."""
        c = t.calendar_days.c
        return [(r.day, r.reason) for r in self.conn.execute(
            select(c.day, c.reason).where(c.tenant_id == tenant_id).order_by(c.day)).all()]

    def overrides(self, tenant_id: str) -> dict[str, int]:
        """Active SLA length overrides of an entity."""
        rows = run(self.conn, q.overrides_of_tenant(), {"b_tenant": tenant_id}).all()
        return {r.policy_id: r.length for r in rows}

    def set_override(self, tenant_id: str, policy_id: str, length: int, basis: str, actor: str) -> None:
        """Set an entity's override of a policy length."""
        c = t.policy_overrides.c
        values = {"length": length, "basis": basis, "set_by": actor, "set_at": datetime.now(UTC), "active": True}
        result = self.conn.execute(update(t.policy_overrides)
                                   .where(c.tenant_id == tenant_id, c.policy_id == policy_id).values(**values))
        if result.rowcount == 0:
            self.conn.execute(insert(t.policy_overrides).values(tenant_id=tenant_id, policy_id=policy_id, **values))


EXTRA_REPOSITORIES: dict = {}


def register_repository(name: str, factory) -> None:
    """Register a feature's repository: `factory(connection)` becomes `uow.<name>` in every unit of work."""
    EXTRA_REPOSITORIES[name] = factory


_CORE_REPOSITORIES = {
    "definitions": SqlDefinitions,
    "cases": SqlCases,
    "states": SqlStates,
    "tasks": SqlTasks,
    "timers": lambda conn: SqlTimers(conn, conn.dialect.name == "postgresql"),
    "links": SqlLinks,
    "audit": SqlAudit,
    "calendar": SqlCalendar,
}


class SqlUnitOfWork:
    """A transaction with every repository bound to the same connection."""

    def __init__(self, engine: Engine, readonly: bool = False):
        self.engine = engine
        self.readonly = readonly
        self.conn = None
        self._tx = None

    def __enter__(self) -> SqlUnitOfWork:
        options = {"probidad_readonly": self.readonly}
        self.conn = self.engine.connect().execution_options(**options)
        self._tx = self.conn.begin()
        return self

    def __getattr__(self, name: str):
        """Repositories are built on first use in a unit of work (most commands touch a few of them)."""
        conn = self.__dict__.get("conn")
        if name.startswith("_") or conn is None:
            raise AttributeError(name)
        if name in _CORE_REPOSITORIES:
            repo = _CORE_REPOSITORIES[name](conn)
        elif name in EXTRA_REPOSITORIES:
            repo = EXTRA_REPOSITORIES[name](conn)
        else:
            raise AttributeError(name)
        setattr(self, name, repo)
        return repo

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            self.conn.close()

    def commit(self) -> None:
        """Commit the one transaction of this unit of work."""
        try:
            self._tx.commit()
        except Exception as exc:  # noqa: BLE001 - wrap driver errors without content
            raise StoreError(f"commit failed: {type(exc).__name__}") from exc

    def rollback(self) -> None:
        """Abandon the transaction."""
        self._tx.rollback()
