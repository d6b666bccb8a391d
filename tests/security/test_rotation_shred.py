"""KEK rotation and crypto-shredding (SECURITY.md properties 5 and 6, tests 6 and 7)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from engine.domain.model import SealedBlob
from engine.errors import Conflict, DecryptionError, NotFound
from keys.aead import Aad
from keys.envelope import unwrap_key
from keys.errors import DecryptionFailed, KeyRevoked
from tests.integration.test_content_support import PASS_CUSTODIAN, PASS_OFFICER, build, with_custodian

CIPHERTEXT_COLUMNS = [
    ("case_states", "case_id", "ciphertext"),
    ("content_fields", "id", "ciphertext"),
    ("content_comments", "id", "ciphertext"),
    ("content_attachments", "id", "body"),
    ("content_attachments", "id", "meta_ciphertext"),
    ("content_attachments", "id", "wrapped_file_key"),
    ("case_identities", "case_id", "ciphertext"),
    ("case_identities", "case_id", "custodian_wrapped"),
]


@pytest.fixture
def engine(tmp_path):
    engine = build(tmp_path)
    with_custodian(engine)
    return engine


def _seed(engine, n=3):
    ids = []
    for i in range(n):
        case_id = engine.start_case_with_content("fixture", {}, {"narrative": f"relato {i}"}, actor="web")
        engine.add_comment(case_id, f"comentario {i}", "oii1", "officer")
        engine.add_attachment(case_id, f"doc{i}.pdf", b"%PDF" + bytes([i]) * 5000, "application/pdf", "web")
        engine.seal_identity(case_id, {"name": f"persona {i}"}, actor="web")
        ids.append(case_id)
    return ids


def _hashes(engine):
    result = {}
    with engine.db.connect() as conn:
        for table, key, column in CIPHERTEXT_COLUMNS:
            for row in conn.execute(text(f"select {key}, {column} from {table}")):
                result[(table, column, row[0])] = hashlib.sha256(row[1]).hexdigest()
    return result


def _wrapped(engine):
    with engine.db.connect() as conn:
        states = {r.case_id: (r.wrapped_key, r.kek_version) for r in conn.execute(
            text("select case_id, wrapped_key, kek_version from case_states"))}
        content = {r.case_id: (r.wrapped_key, r.kek_version) for r in conn.execute(
            text("select case_id, wrapped_key, kek_version from content_keys"))}
    return states, content


def _readable(engine, case_id, i):
    assert engine.content(case_id, actor="oii1") == {"narrative": f"relato {i}"}
    assert engine.comments(case_id, actor="oii1")[0].text == f"comentario {i}"
    att = engine.attachments(case_id)[0].id
    assert engine.attachment(case_id, att, actor="oii1")[2] == b"%PDF" + bytes([i]) * 5000
    assert engine.case(case_id).status == "open"


def test_rotation_keeps_every_ciphertext_byte_for_byte(engine):
    ids = _seed(engine)
    before, (states_before, content_before) = _hashes(engine), _wrapped(engine)
    results = engine.rotate_keys("all", actor="admin")
    assert [(r.purpose, r.from_version, r.to_version, r.rewrapped) for r in results] == [
        ("workflow", 1, 2, 3), ("content", 1, 2, 3)]
    assert _hashes(engine) == before and len(before) == 3 * len(CIPHERTEXT_COLUMNS)
    states_after, content_after = _wrapped(engine)
    for case_id in ids:
        assert states_after[case_id][1] == 2 and content_after[case_id][1] == 2
        assert states_after[case_id][0] != states_before[case_id][0]
        assert content_after[case_id][0] != content_before[case_id][0]
    for i, case_id in enumerate(ids):
        _readable(engine, case_id, i)
    rotations = [e for e in _all_audit(engine) if e.action == "keys.rotate"]
    assert [e.details["purpose"] for e in rotations] == ["workflow", "content"]


def _all_audit(engine):
    with engine.rt.uow_factory(readonly=True) as uow:
        return list(uow.audit.all())


def test_retire_refuses_while_used_then_old_copies_die(engine):
    ids = _seed(engine, 2)
    _, content_v1 = _wrapped(engine)
    with pytest.raises(Conflict):
        engine.retire_key(1, "content")
    engine.rotate_keys("content", actor="admin")
    engine.rt.extras["content.keys"].keyring("workflow").rotate()  # a new version, nothing re-wrapped
    with pytest.raises(Conflict, match="still use workflow"):
        engine.retire_key(1, "workflow")
    engine.retire_key(1, "content", actor="admin")
    with pytest.raises(Conflict, match="active"):
        engine.retire_key(2, "content")
    ring = engine.rt.extras["content.keys"].keyring("content")
    with pytest.raises(KeyRevoked):
        ring.get(1)
    for case_id in ids:
        tenant = engine.case(case_id).tenant_id
        for version in ring.versions():
            with pytest.raises(DecryptionFailed):
                unwrap_key(ring.get(version), content_v1[case_id][0],
                           Aad(tenant, case_id, "content", "dek", content_v1[case_id][1]))
    for i, case_id in enumerate(ids):
        _readable(engine, case_id, i)
    assert [e.details for e in _all_audit(engine) if e.action == "keys.retire"] == [
        {"purpose": "content", "version": 1}]


def test_shred_destroys_keys_and_blobs_and_keeps_a_tombstone(engine):
    engine.ensure_officer_keypair("oii1", PASS_OFFICER)
    victim, survivor = _seed(engine, 2)
    request = engine.request_identity_release(victim, "oii1", "Orden judicial", actor="jefe")
    engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")
    with engine.db.connect() as conn:
        state = conn.execute(text("select ciphertext, wrapped_key, kek_version from case_states where case_id=:c"),
                             {"c": victim}).one()
        key = conn.execute(text("select wrapped_key, kek_version from content_keys where case_id=:c"),
                           {"c": victim}).one()
        field = conn.execute(text("select ciphertext from content_fields where case_id=:c"), {"c": victim}).one()
    result = engine.shred_case(victim, "plazo de conservación vencido", actor="admin")
    assert result.retired == {"workflow": [1], "content": [1]}

    with engine.db.connect() as conn:
        for table in ("case_states", "content_keys", "content_fields", "content_comments", "content_attachments",
                      "case_identities", "identity_grants", "identity_release_requests", "complainant_notices"):
            assert conn.execute(text(f"select count(*) from {table} where case_id=:c"), {"c": victim}).scalar() == 0
        assert conn.execute(text("select count(*) from timers where case_id=:c and state='waiting'"),
                            {"c": victim}).scalar() == 0
        assert conn.execute(text("select count(*) from tasks where case_id=:c and state='ready'"),
                            {"c": victim}).scalar() == 0
    tomb = engine.tombstone(victim)
    assert tomb["reason"] == "plazo de conservación vencido" and tomb["process_id"] == "fixture"
    assert engine.case(victim).status == "shredded"
    shreds = [e for e in engine.audit_for_case(victim) if e.action == "case.shred"]
    assert len(shreds) == 1 and shreds[0].actor == "admin"
    assert engine.audit_verify().ok

    # The snapshot cannot be opened with any remaining key.
    access = engine.rt.extras["content.keys"]
    tenant = "default"
    for purpose, wrapped, version in (("workflow", state.wrapped_key, state.kek_version),
                                      ("content", key.wrapped_key, key.kek_version)):
        ring = access.keyring(purpose)
        for remaining in ring.versions():
            with pytest.raises(DecryptionFailed):
                unwrap_key(ring.get(remaining), wrapped, Aad(tenant, victim, purpose, "dek", version))
            with pytest.raises(DecryptionFailed):
                unwrap_key(ring.get(remaining), wrapped, Aad(tenant, victim, purpose, "dek", remaining))
    with pytest.raises(DecryptionError):
        engine.rt.sealer.open(tenant, victim, SealedBlob(state.ciphertext, state.wrapped_key, state.kek_version))
    assert field.ciphertext  # a blob whose every key is gone

    with pytest.raises(NotFound):
        engine.content(victim, actor="oii1")
    with pytest.raises(NotFound):
        engine.read_identity(victim, "oii1", PASS_OFFICER)
    with pytest.raises(Conflict):
        engine.shred_case(victim, "again", actor="admin")
    _readable(engine, survivor, 1)


def test_shred_keep_epoch_defers_retirement(engine):
    victim, survivor = _seed(engine, 2)
    result = engine.shred_case(victim, "solicitud", actor="admin", destroy_epoch=False)
    assert result.retired == {}
    assert engine.rt.extras["content.keys"].keyring("content").versions() == [1]
    _readable(engine, survivor, 1)
