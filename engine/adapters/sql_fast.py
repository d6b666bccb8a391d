"""Running the prebuilt hot-path statements on SQLite without SQLAlchemy's per-call machinery (issue 10).

On SQLite a statement takes microseconds; SQLAlchemy's execution around it (cache-key lookup, execution
context, parameter processing, result set-up) takes several times that, on every call. For the
statements a command runs every time (engine/adapters/sql_statements.py), `run` compiles the statement
once per dialect and set of parameter names and then calls the sqlite3 cursor of the unit of work's own
connection, inside the same transaction, applying SQLAlchemy's own bind and result processors so values
read and written are exactly those of the normal path.

Anything this path does not cover goes through `Connection.execute` unchanged: other databases
(PostgreSQL: the round trip dominates there), statements whose compiled form needs a parameter the
caller did not give (a Python-side column default), post-compile parameters (expanding IN), and
RETURNING. Driver errors are re-raised as SQLAlchemy's (IntegrityError, OperationalError, ...).
"""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any

from sqlalchemy import exc as sa_exc


class _Plan:
    """A statement compiled for one dialect and one set of parameter names."""

    __slots__ = ("sql", "names", "binds", "row_type", "results", "constants")

    def __init__(self, sql: str, names: list[str], binds: list, row_type: Any, results: list,
                 constants: dict[str, Any]):
        self.sql, self.names, self.binds, self.row_type, self.results = sql, names, binds, row_type, results
        self.constants = constants

    def args(self, params: dict[str, Any]) -> tuple:
        """The positional arguments for the driver, through the bind processors."""
        if self.constants:
            params = {**self.constants, **params}
        return tuple(params[n] if p is None else p(params[n]) for n, p in zip(self.names, self.binds, strict=True))

    def row(self, raw: tuple) -> Any:
        """A result row, through the result processors."""
        return self.row_type._make(v if p is None else p(v) for v, p in zip(raw, self.results, strict=True))


def _row_type(fields: list[str]):
    base = namedtuple("FastRow", fields)  # noqa: PYI024 - a plain tuple type is what the driver gives
    return type("FastRow", (base,), {"__slots__": (), "_mapping": property(lambda self: self._asdict())})


def _compiled(dialect: Any, stmt: Any, keys: tuple[str, ...]):
    """The statement compiled for these parameter names; post-compile parameters that carry a fixed
    value (LIMIT 1) rendered inline; None if it needs anything the fast path does not do."""
    compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
    late = [compiled.binds[n] for n in (*compiled.literal_execute_params, *compiled.post_compile_params)
            if isinstance(n, str)] + [b for b in (*compiled.literal_execute_params, *compiled.post_compile_params)
                                      if not isinstance(b, str)]
    if any(b.key in keys or b.required or b.callable is not None or b.expanding for b in late):
        return None
    if late:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys), compile_kwargs={"render_postcompile": True})
    if (not compiled.positional or getattr(compiled, "effective_returning", None)
            or compiled.insert_prefetch or compiled.update_prefetch):
        return None  # RETURNING, or a column default computed in Python: SQLAlchemy's own path
    return compiled


@functools.lru_cache(maxsize=512)
def _plan(dialect: Any, stmt: Any, keys: tuple[str, ...]) -> _Plan | None:
    compiled = _compiled(dialect, stmt, keys)
    if compiled is None:
        return None
    names = list(compiled.positiontup or [])
    constants: dict[str, Any] = {}
    for name in names:
        if name in keys:
            continue
        bind = compiled.binds.get(name)
        if bind is None or bind.required or bind.callable is not None:
            return None
        constants[name] = bind.value  # a literal in the statement, e.g. state == "ready"
    binds = [compiled._bind_processors.get(n) for n in names]
    columns = list(compiled._result_columns or []) if getattr(stmt, "is_select", False) else []
    fields = [c[0] for c in columns]
    if len(set(fields)) != len(fields) or not all(f.isidentifier() and not f.startswith("_") for f in fields):
        return None
    results = [c[3]._cached_result_processor(dialect, None) for c in columns]
    return _Plan(str(compiled), names, binds, _row_type(fields) if fields else None, results, constants)


class _Result:
    """The part of SQLAlchemy's Result the repositories use."""

    __slots__ = ("rows", "rowcount", "lastrowid")

    def __init__(self, rows: list, rowcount: int, lastrowid: int | None = None):
        self.rows, self.rowcount, self.lastrowid = rows, rowcount, lastrowid

    def first(self):
        """The first row or None."""
        return self.rows[0] if self.rows else None

    def all(self) -> list:
        """Every row."""
        return self.rows

    def __iter__(self):
        return iter(self.rows)


def run(conn: Any, stmt: Any, params: dict[str, Any] | list[dict[str, Any]]):
    """Execute a prebuilt statement with a parameter dict (or a list of them: executemany)."""
    many = isinstance(params, list)
    if conn.dialect.name != "sqlite" or (many and not params):
        return conn.execute(stmt, params)
    plan = _plan(conn.dialect, stmt, tuple(sorted(params[0] if many else params)))
    if plan is None or (many and plan.row_type is not None):
        return conn.execute(stmt, params)
    cursor = conn.connection.driver_connection.cursor()
    try:
        if many:
            cursor.executemany(plan.sql, [plan.args(p) for p in params])
            return _Result([], cursor.rowcount)
        cursor.execute(plan.sql, plan.args(params))
        rows = [plan.row(r) for r in cursor.fetchall()] if plan.row_type is not None else []
        return _Result(rows, cursor.rowcount, cursor.lastrowid)
    except conn.dialect.dbapi.Error as err:
        raise sa_exc.DBAPIError.instance(plan.sql, params, err, conn.dialect.dbapi.Error,
                                         dialect=conn.dialect) from err
    finally:
        cursor.close()
