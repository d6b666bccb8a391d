"""The hash-chained audit log detects edited, deleted and reordered rows (SECURITY.md 8, test 12)."""

from __future__ import annotations

from sqlalchemy import text

from tests.helpers import fixture_engine


class _Db:
    """Direct SQL on the engine's database, as a DBA with write access would do."""

    def __init__(self, engine):
        self.engine = engine

    def execute(self, statement: str):
        with self.engine.db.begin() as conn:
            return conn.execute(text(statement)).fetchall() if statement.lstrip().upper().startswith(
                "SELECT") else conn.execute(text(statement))

    def commit(self):
        """Each statement commits on its own."""


def _seed(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    for _ in range(3):
        case_id = engine.start_case("fixture", {})
        engine.complete_task(engine.tasks(case_id=case_id)[0].id, {"admissible": "no"})
    assert engine.audit_verify().ok
    return engine, _Db(engine)


def test_edited_row_is_detected(tmp_path):
    engine, db = _seed(tmp_path)
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    db.commit()
    report = engine.audit_verify()
    assert (report.ok, report.broken_at) == (False, 3)


def test_deleted_row_is_detected(tmp_path):
    engine, db = _seed(tmp_path)
    db.execute("DELETE FROM audit_log WHERE seq = 4")
    db.commit()
    report = engine.audit_verify()
    assert (report.ok, report.broken_at) == (False, 5)


def test_reordered_rows_are_detected(tmp_path):
    engine, db = _seed(tmp_path)
    db.execute("UPDATE audit_log SET seq = -1 WHERE seq = 2")
    db.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    db.execute("UPDATE audit_log SET seq = 3 WHERE seq = -1")
    db.commit()
    report = engine.audit_verify()
    assert not report.ok and report.broken_at == 2


def test_verify_checks_every_entry(tmp_path):
    engine, db = _seed(tmp_path)
    total = db.execute("SELECT count(*) FROM audit_log")[0][0]
    assert engine.audit_verify().checked == total
