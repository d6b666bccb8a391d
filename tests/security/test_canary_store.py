"""Canary leak test (SECURITY.md test 1, issue 4 acceptance).

Unique canaries go into the narrative, the identity, an attachment's content and name, comments and
task data (which must be refused). Each is then searched raw and as base64, hex, UTF-16 and URL
encoding in the SQLite file and its WAL, the whole instance folder (keys live outside it), the logs
captured at DEBUG, and every case's decrypted, decompressed workflow state: 0 hits.
"""

from __future__ import annotations

import base64
import logging
import secrets
import zlib
from datetime import timedelta
from urllib.parse import quote, quote_plus

import pytest

from engine.errors import DisallowedTaskData
from engine.testing import FrozenClock
from tests.integration.test_content_support import PASS_CUSTODIAN, PASS_OFFICER, build, with_custodian


def _canary(kind: str) -> str:
    return f"CANARY{kind}{secrets.token_hex(8)}Ñ"


def encodings(canary: str) -> list[bytes]:
    """The canary raw and encoded; base64 at every alignment (the canary may sit anywhere in a blob)."""
    raw = canary.encode("utf-8")
    forms = [raw, raw.hex().encode(), raw.hex().upper().encode(), canary.encode("utf-16-le"),
             canary.encode("utf-16-be"), quote(canary).encode(), quote_plus(canary).encode(),
             canary.encode("unicode_escape"), canary.encode("ascii", "xmlcharrefreplace")]
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        forms.append(encoded[4 if pad else 0:-4])
        forms.append(base64.urlsafe_b64encode(b"\0" * pad + raw)[4 if pad else 0:-4])
    return [f for f in forms if len(f) >= 12]


def hits(canaries: dict[str, str], haystack: bytes) -> list[str]:
    """The canaries found in a haystack, in any encoding."""
    return [kind for kind, canary in canaries.items() if any(form in haystack for form in encodings(canary))]


def _seed(engine, clock, canaries):
    with_custodian(engine)
    engine.ensure_officer_keypair("oii1", PASS_OFFICER)
    case_ids = []
    for i in range(2):
        case_id = engine.start_case_with_content("fixture", {"channel": "web"},
                                                 {"narrative": f"{canaries['narrative']} #{i}"}, actor="web")
        engine.seal_identity(case_id, {"name": canaries["identity"], "phone": "999"}, actor="web")
        engine.add_attachment(case_id, f"{canaries['file_name']}.pdf", canaries["file_body"].encode() * 50,
                              "application/pdf", "web")
        engine.add_comment(case_id, canaries["comment"], "oii1", "officer")
        for bad in ({"narrative": canaries["task"]}, {"admissible": "yes", "notes": canaries["task"]}):
            with pytest.raises(DisallowedTaskData) as info:
                engine.complete_task(engine.tasks(case_id=case_id)[0].id, bad)
            assert not hits(canaries, str(info.value).encode())
        workflow, content = engine.split_form_data("fixture", "review",
                                                   {"admissible": "yes", "narrative": canaries["task"]})
        engine.complete_task(engine.tasks(case_id=case_id)[0].id, workflow)
        engine.put_content(case_id, "review_narrative", content["narrative"], actor="oii1")
        case_ids.append(case_id)
    request = engine.request_identity_release(case_ids[0], "oii1", "Orden judicial 1-2025", actor="jefe")
    engine.decide_identity_release(request, PASS_CUSTODIAN, True, actor="custodio")
    # Exercise every read path too: decryption must not leave traces behind.
    for case_id in case_ids:
        engine.content(case_id, actor="oii1")
        engine.comments(case_id, actor="oii1")
        for info in engine.attachments(case_id, actor="oii1"):
            engine.attachment(case_id, info.id, actor="oii1")
    assert engine.read_identity(case_ids[0], "oii1", PASS_OFFICER)["name"] == canaries["identity"]
    for task in engine.tasks():
        engine.complete_task(task.id, {})
    clock.advance(timedelta(days=60))
    engine.tick()
    engine.rotate_keys("all", actor="admin")
    return case_ids


def test_no_canary_anywhere(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    canaries = {kind: _canary(kind.upper()) for kind in
                ("narrative", "identity", "file_body", "file_name", "comment", "task")}
    clock = FrozenClock()
    engine = build(tmp_path, clock=clock)
    case_ids = _seed(engine, clock, canaries)

    # The sanity check that the search works at all.
    assert hits(canaries, base64.b64encode(b"xy" + canaries["comment"].encode())) == ["comment"]

    instance = tmp_path / "instance"
    files = [p for p in instance.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) or any(p.suffix == ".db" for p in files)
    for path in files:
        assert hits(canaries, path.read_bytes()) == [], path.name

    logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert hits(canaries, logs.encode("utf-8", "replace")) == []

    for case_id in case_ids:
        with engine.rt.uow_factory(readonly=True) as uow:
            sealed = uow.states.get(case_id)
            case = uow.cases.get(case_id)
        state = engine.rt.sealer.open(case.tenant_id, case_id, sealed)
        assert hits(canaries, state + zlib.decompress(state)) == []
        assert hits(canaries, repr(engine.case(case_id).as_dict()).encode()) == []
    assert engine.audit_verify().ok
