"""Sealed identity and the custodian (SECURITY.md property 3, test 2; issue 4 acceptance)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from engine.errors import AccessDenied, Conflict, NotFound
from tests.integration.test_content_support import PASS_CUSTODIAN, PASS_OFFICER, build, with_custodian

IDENTITY = {"name": "Rosa Quispe Mamani", "dni": "40123456", "email": "rosa@example.pe"}


@pytest.fixture
def engine(tmp_path):
    engine = build(tmp_path)
    with_custodian(engine)
    engine.ensure_officer_keypair("oii1", PASS_OFFICER)
    engine.ensure_officer_keypair("oii2", "other officer passphrase")
    return engine


def _sealed_case(engine):
    case_id = engine.start_case_with_content("fixture", {}, {"narrative": "relato"}, actor="web")
    return case_id, engine.seal_identity(case_id, IDENTITY, actor="web")


def _audit(engine, case_id, action):
    return [e for e in engine.audit_for_case(case_id) if e.action == action]


def test_officers_see_only_the_identity_code(engine):
    case_id, code = _sealed_case(engine)
    assert code.startswith("CC-") and len(code) == 13
    assert engine.identity_code(case_id) == code
    view = json.dumps(engine.case(case_id).as_dict(), default=str)
    officer_facing = view + json.dumps(engine.content(case_id, "oii1")) + repr(engine.attachments(case_id, "oii1"))
    assert "Rosa" not in officer_facing and "40123456" not in officer_facing
    with engine.db.connect() as conn:
        row = conn.execute(text("select ciphertext, custodian_wrapped from case_identities")).one()
    for blob in (row.ciphertext, row.custodian_wrapped):
        assert blob.hex() not in officer_facing and blob[:16].hex() not in officer_facing


def test_identity_codes_are_unique_and_random(engine):
    codes = {_sealed_case(engine)[1] for _ in range(5)}
    assert len(codes) == 5


def test_an_officer_without_release_cannot_read_the_identity(engine):
    case_id, _ = _sealed_case(engine)
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", PASS_OFFICER)
    assert len(_audit(engine, case_id, "identity.release_denied")) == 1


def test_release_without_custodian_is_denied(tmp_path):
    engine = build(tmp_path)
    engine.ensure_officer_keypair("oii1", PASS_OFFICER)
    case_id = engine.start_case("fixture")
    with pytest.raises(AccessDenied, match="no custodian"):
        engine.request_identity_release(case_id, "oii1", "Art. 16(3)", actor="jefe")
    with pytest.raises(AccessDenied, match="no custodian"):
        engine.decide_identity_release("any", PASS_CUSTODIAN, True, actor="x")
    assert len(_audit(engine, case_id, "identity.release_denied")) == 1
    assert _audit(engine, case_id, "identity.release") == []


def test_release_to_the_named_officer_only(engine):
    case_id, _ = _sealed_case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial 123-2025", actor="jefe")
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", PASS_OFFICER)
    assert engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio") == "approved"
    assert engine.read_identity(case_id, "oii1", PASS_OFFICER) == IDENTITY
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii2", "other officer passphrase")
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", "wrong passphrase!!")
    releases = _audit(engine, case_id, "identity.release")
    assert len(releases) == 1
    assert releases[0].details["officer"] == "oii1" and releases[0].actor == "custodio"
    assert "Rosa" not in json.dumps(releases[0].details)
    notices = engine.complainant_notices(case_id)
    assert [(n["kind"], n["reference"]) for n in notices] == [("identity_release", request)]
    with pytest.raises(Conflict):
        engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")


def test_wrong_custodian_passphrase_grants_nothing(engine):
    case_id, _ = _sealed_case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial", actor="jefe")
    with pytest.raises(AccessDenied, match="passphrase"):
        engine.decide_identity_release(request, "not the custodian passphrase", True, actor="x")
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", PASS_OFFICER)
    assert _audit(engine, case_id, "identity.release") == []


def test_denied_release_and_exempt_notice(engine):
    case_id, _ = _sealed_case(engine)
    denied = engine.request_identity_release(case_id, "oii1", "curiosidad", actor="jefe")
    assert engine.decide_identity_release(denied, PASS_CUSTODIAN, False, actor="custodio") == "denied"
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", PASS_OFFICER)
    exempt = engine.request_identity_release(case_id, "oii2", "Investigación penal en curso", actor="jefe")
    engine.decide_identity_release(exempt, PASS_CUSTODIAN, True, actor="custodio",
                                   exempt_notice_reason="riesgo para la investigación penal")
    assert engine.read_identity(case_id, "oii2", "other officer passphrase") == IDENTITY
    assert engine.complainant_notices(case_id) == []
    assert _audit(engine, case_id, "identity.release")[0].details["notice"] == "exempt"


def test_release_needs_a_legal_basis_and_a_sealed_identity(engine):
    case_id = engine.start_case("fixture")
    with pytest.raises(NotFound):
        engine.request_identity_release(case_id, "oii1", "Orden", actor="jefe")
    sealed, _ = _sealed_case(engine)
    with pytest.raises(Exception, match="legal basis"):
        engine.request_identity_release(sealed, "oii1", "  ", actor="jefe")
    with pytest.raises(Conflict, match="key pair"):
        engine.request_identity_release(sealed, "nobody", "Orden", actor="jefe")


def test_the_server_alone_cannot_open_the_identity(engine):
    """Without the custodian passphrase, every key the server holds fails on the identity blob."""
    case_id, code = _sealed_case(engine)
    crypto = engine.rt.extras["content.crypto"]
    from engine.services.content import case_key
    with engine.rt.uow_factory() as uow:
        case = uow.cases.get(case_id)
        dek = case_key(engine.rt, uow, case)
        sealed = uow.identity.get(case_id)
    inner = crypto.open_object(dek, case.tenant_id, case_id, "identity", code, "data", sealed.ciphertext)
    assert b"Rosa" not in inner
    from engine.errors import DecryptionError
    for candidate in (dek, *(engine.rt.extras["content.keys"].keyring(p).get(1) for p in ("workflow", "content"))):
        with pytest.raises(DecryptionError):
            crypto.open_identity(dek, case.tenant_id, case_id, code, candidate, sealed.ciphertext)


def test_password_reset_never_grants_access(engine):
    case_id, _ = _sealed_case(engine)
    request = engine.request_identity_release(case_id, "oii1", "Orden judicial", actor="jefe")
    engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")
    with pytest.raises(AccessDenied):
        engine.ensure_officer_keypair("oii1", "admin reset password")
    engine.ensure_officer_keypair("oii1", "admin reset password", replace=True)
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", "admin reset password")
    with pytest.raises(AccessDenied):
        engine.read_identity(case_id, "oii1", PASS_OFFICER)


def test_custodian_private_key_lives_outside_the_database(engine, tmp_path):
    folder = tmp_path / "keys" / "identity"
    locked = (folder / "custodian.locked").read_bytes()
    public = (folder / "custodian.pub").read_bytes()
    assert (folder / "custodian.locked").stat().st_mode & 0o077 == 0
    database = (tmp_path / "instance" / "probidad.db").read_bytes()
    wal = tmp_path / "instance" / "probidad.db-wal"
    database += wal.read_bytes() if wal.exists() else b""
    assert locked[-32:] not in database and public not in database
    with pytest.raises(Conflict):
        engine.init_custodian(PASS_CUSTODIAN)
