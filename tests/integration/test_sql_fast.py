"""The SQLite fast path (engine/adapters/sql_fast.py) reads and writes exactly what SQLAlchemy would,
falls back where it must, and raises SQLAlchemy's errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy import exc as sa_exc

from engine.adapters import schema as t
from engine.adapters import sql_statements as q
from engine.adapters.sql_fast import _plan, run
from engine.domain.model import Case
from tests.helpers import fixture_engine

AT = datetime(2025, 3, 3, 15, 0, 0, 123456, tzinfo=UTC)


def _case(case_id: str) -> Case:
    return Case(id=case_id, tenant_id="default", process_id="fixture", process_version=1, status="open",
                created_at=AT, updated_at=AT, next_due_at=AT)


def test_rows_written_and_read_match_the_sqlalchemy_path(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    with engine.db.connect() as conn, conn.begin():
        run(conn, q.case_insert(), q.values_of(_case("fast")))
        conn.execute(q.case_insert(), q.values_of(_case("slow")))
        fast = {k: v for k, v in run(conn, q.case_by_id(), {"b_id": "slow"}).first()._mapping.items()}
        slow = dict(conn.execute(q.case_by_id(), {"b_id": "fast"}).first()._mapping)
        assert {**fast, "id": "x"} == {**slow, "id": "x"}  # same values and types, whichever path wrote
        assert fast["created_at"].replace(tzinfo=UTC) == AT  # microseconds kept, like SQLAlchemy
        values = q.values_of(_case("fast"), without=("id",))
        values.update(status="closed", version=2, b_id="fast", b_version=1)
        assert run(conn, q.case_update(), values).rowcount == 1
        values["b_version"] = 1  # stale: the optimistic lock matches no row
        assert run(conn, q.case_update(), values).rowcount == 0
        assert conn.execute(select(t.cases.c.status).where(t.cases.c.id == "fast")).scalar_one() == "closed"


def test_literals_and_limits_in_the_statement_are_kept(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    with engine.db.connect() as conn, conn.begin():
        ready = run(conn, q.ready_tasks_of_case(), {"b_case": case_id}).all()  # state == 'ready' literal
        assert [r.id for r in ready] == [r.id for r in conn.execute(q.ready_tasks_of_case(), {"b_case": case_id})]
        assert run(conn, q.audit_tail(), {}).first() == tuple(conn.execute(q.audit_tail()).first())  # LIMIT 1
        if conn.dialect.name == "sqlite":  # elsewhere `run` always takes SQLAlchemy's path
            assert _plan(conn.dialect, q.audit_tail(), ()) is not None
            assert _plan(conn.dialect, q.ready_tasks_of_case(), ("b_case",)) is not None


def test_what_the_fast_path_cannot_do_goes_through_sqlalchemy(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    meta = MetaData()
    table = Table("fast_defaults", meta, Column("id", Integer, primary_key=True),
                  Column("name", String(20), nullable=False, default="unnamed"))
    meta.create_all(engine.db)
    expanding = select(t.tasks.c.id).where(t.tasks.c.lane.in_(bindparam("b_lanes", expanding=True)))
    with engine.db.connect() as conn, conn.begin():
        assert _plan(conn.dialect, insert(table), ("id",)) is None  # a Python-side default to compute
        run(conn, insert(table), {"id": 1})
        assert conn.execute(select(table.c.name)).scalar_one() == "unnamed"
        assert _plan(conn.dialect, expanding, ("b_lanes",)) is None
        assert run(conn, expanding, {"b_lanes": []}).all() == []
        assert _plan(conn.dialect, q.timer_insert(), tuple(sorted(q.values_of(_timer(), without=("id",))))) is None


def _timer():
    from engine.domain.model import TimerRecord

    return TimerRecord(case_id="c", tenant_id="default", task_id="t", name="n", policy=None, due_at=AT,
                       started_at=AT)


def test_driver_errors_surface_as_sqlalchemy_errors_and_roll_back(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    with engine.db.connect() as conn:
        with conn.begin():
            run(conn, q.case_insert(), q.values_of(_case("dup")))
        with pytest.raises(sa_exc.IntegrityError), conn.begin():
            run(conn, q.case_insert(), q.values_of(_case("other")))
            run(conn, q.case_insert(), q.values_of(_case("dup")))  # primary key taken
        ids = {r.id for r in conn.execute(select(t.cases.c.id))}
    assert "dup" in ids and "other" not in ids  # the failed transaction left nothing behind
