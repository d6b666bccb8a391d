"""Every sensitive action emits exactly one audit entry (SECURITY.md property 8, test 12), and on
PostgreSQL the application's database role cannot UPDATE or DELETE audit rows (`probidad db harden`).

Editing, deleting and reordering rows is covered by tests/integration/test_audit_chain.py.
"""

from __future__ import annotations

import pytest

from tests.integration.test_content_support import FIXTURE, PASS_CUSTODIAN, PASS_OFFICER, build, with_custodian


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One engine with a custodian, an officer key pair and users, shared by the actions below."""
    engine = build(tmp_path_factory.mktemp("audit"))
    engine.configure_password_hashing(1, 8192, 1)
    with_custodian(engine)
    engine.ensure_officer_keypair("oii1", PASS_OFFICER)
    engine.create_entity("otra", "Otra entidad")
    engine.create_user("ana", "a long test password", "Ana", ["oii"])
    engine.create_user("beto", "a long test password", "Beto", ["oii"])
    engine.create_user("ciro", "a long test password", "Ciro", ["oii"])
    engine.create_user("jefa", "a long test password", "Jefa", ["chief"])
    return engine


def _case(engine) -> str:
    case_id = engine.start_case_with_content("fixture", {"channel": "web"}, {"narrative": "relato"}, actor="web")
    engine.seal_identity(case_id, {"name": "Nombre"}, actor="web")
    return case_id


def _entries(engine) -> list:
    with engine.rt.uow_factory(readonly=True) as uow:
        return list(uow.audit.all())


def _emitted(engine, action) -> list:
    """Run `action(engine)` and return the actions of the audit entries it appended."""
    before = len(_entries(engine))
    action(engine)
    after = _entries(engine)
    assert engine.audit_verify().ok
    return [e.action for e in after[before:]]


def _release(engine):
    case_id = _case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial 1-2025", actor="jefa")
    return lambda e: e.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")


def _read_identity(engine):
    case_id = _case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial 2-2025", actor="jefa")
    engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")
    return lambda e: e.read_identity(case_id, "oii1", PASS_OFFICER)


def _reassign(engine):
    case_id = engine.start_case("fixture", {"channel": "web"})
    task = engine.tasks(case_id=case_id)[0]
    jefa, ciro = engine.user_by_username("jefa"), engine.user_by_username("ciro")
    return lambda e: e.reassign_task(jefa, task.id, ciro.id)


def _exclude(engine):
    case_id = engine.start_case("fixture", {"channel": "web"})
    return lambda e: e.exclude_user(case_id, e.user_by_username("beto").id, actor="jefa")


def _shred(engine):
    case_id = _case(engine)
    return lambda e: e.shred_case(case_id, "plazo vencido", actor="admin", destroy_epoch=False)


def _hold(engine):
    case_id = engine.start_case("fixture", {"channel": "web"})
    return lambda e: e.legal_hold(case_id, "Resolución 5-2025", actor="admin")


def _case_file(engine):
    case_id = _case(engine)
    return lambda e: e.case_file(case_id, "jefa")


def _now(engine):
    return lambda e: None


# (name, prepare(engine) -> action(engine), the one sensitive audit action expected)
SENSITIVE = [
    ("identity release", _release, "identity.release"),
    ("identity read", _read_identity, "identity.read"),
    ("identity release denied", lambda e: (lambda e2: e2.decide_identity_release(
        e2.request_identity_release(_case(e2), "oii1", "Base legal", actor="jefa"), PASS_CUSTODIAN, False,
        actor="custodio")), "identity.release_denied"),
    ("export case list", lambda e: (lambda e2: e2.export_cases("jefa", "csv")), "export.cases"),
    ("export case list xlsx", lambda e: (lambda e2: e2.export_cases("jefa", "xlsx")), "export.cases"),
    ("export REPRAC", lambda e: (lambda e2: e2.export_reprac("jefa", 2025, 1)), "export.reprac"),
    ("export case file", _case_file, "export.case_file"),
    ("grant: roles changed", lambda e: (lambda e2: e2.set_roles(e2.user_by_username("ana").id, ["oii", "chief"],
                                                                actor="admin")), "user.update"),
    ("grant: user moved to another entity", lambda e: (lambda e2: e2.update_user(
        e2.user_by_username("beto").id, "admin", tenant_id="otra")), "user.update"),
    ("grant: password reset", lambda e: (lambda e2: e2.reset_password(
        e2.user_by_username("ana").id, "another long password", actor="admin")), "user.reset_password"),
    ("grant: task reassigned", _reassign, "task.reassign"),
    ("grant: conflict exclusion", _exclude, "case.exclude_user"),
    ("grant: API token", lambda e: (lambda e2: e2.create_api_token("default", "auditor", "sistema x",
                                                                   actor="admin")), "api_token.create"),
    ("deletion: crypto-shred", _shred, "case.shred"),
    ("deletion: legal hold", _hold, "retention.hold"),
    ("rotation: content KEK", lambda e: (lambda e2: e2.rotate_keys("content", actor="admin")), "keys.rotate"),
    ("rotation: workflow KEK", lambda e: (lambda e2: e2.rotate_keys("workflow", actor="admin")), "keys.rotate"),
    ("deploy", lambda e: (lambda e2: e2.deploy_xml(FIXTURE.read_bytes().replace(b'name="', b'name="v2 ', 1),
                                                   "fixture.bpmn", actor="admin")), "process.deploy"),
]


@pytest.mark.parametrize(("name", "prepare", "expected"), SENSITIVE, ids=[s[0] for s in SENSITIVE])
def test_each_sensitive_action_emits_exactly_one_entry(engine, name, prepare, expected):
    action = prepare(engine)
    emitted = _emitted(engine, action)
    assert emitted.count(expected) == 1, (name, emitted)
    # The entry says who did it and carries no content.
    entry = [e for e in _entries(engine) if e.action == expected][-1]
    assert entry.actor and entry.actor != "system"
    assert "relato" not in repr(entry.details) and "Nombre" not in repr(entry.details)


def test_rotating_every_kek_emits_one_entry_per_kek(engine):
    emitted = _emitted(engine, lambda e: e.rotate_keys("all", actor="admin"))
    rotated = [r for r in _entries(engine)[-len(emitted):] if r.action == "keys.rotate"]
    assert len(rotated) == len({r.details["purpose"] for r in rotated}) >= 2


def test_a_failed_sensitive_action_leaves_no_success_entry(engine):
    case_id = _case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial 3-2025", actor="jefa")
    before = len(_entries(engine))
    with pytest.raises(Exception):  # noqa: B017 - wrong passphrase: any refusal will do
        engine.decide_identity_release(request, "wrong custodian passphrase", True, actor="custodio")
    assert "identity.release" not in [e.action for e in _entries(engine)[before:]]


# -- PostgreSQL: the application role lacks UPDATE and DELETE on audit_log ------------------------
@pytest.mark.postgres
def test_app_role_cannot_update_or_delete_audit_rows(pg_database, tmp_path):
    import psycopg
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text

    from engine.cli import main
    from engine.testing import make_engine
    from tests.helpers import FIXTURE_BPMN, FIXTURE_DEFINITION

    url = pg_database()
    owner, _ = make_engine(tmp_path, definitions=[FIXTURE_DEFINITION], deploy=[FIXTURE_BPMN], database_url=url)
    owner.start_case("fixture", {})
    owner.db.dispose()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS probidad_app_t"))
        conn.execute(text("CREATE ROLE probidad_app_t LOGIN"))
    try:
        result = CliRunner().invoke(main, ["db", "harden", "--app-role", "probidad_app_t"],
                                    env={"PROBIDAD_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        app_url = url.replace("postgresql+psycopg://probidad@", "postgresql+psycopg://probidad_app_t@")
        app_engine, _ = make_engine(tmp_path / "app", definitions=[FIXTURE_DEFINITION], deploy=[],
                                    database_url=app_url)
        case_id = app_engine.start_case("fixture", {})  # the app still works: it may INSERT audit rows
        app_engine.complete_task(app_engine.tasks(case_id=case_id)[0].id, {"admissible": "no"})
        assert app_engine.audit_verify().ok
        plain = app_url.replace("postgresql+psycopg", "postgresql")
        for statement in ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):
            with psycopg.connect(plain) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        app_engine.db.dispose()
        assert make_engine(tmp_path / "check", definitions=[FIXTURE_DEFINITION], deploy=[],
                           database_url=url)[0].audit_verify().ok
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP OWNED BY probidad_app_t"))
            conn.execute(text("DROP ROLE IF EXISTS probidad_app_t"))
        admin.dispose()
