"""The encrypted content store through the Engine API: round trips, limits, audit, one commit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.errors import DisallowedTaskData, FormInvalid, InvalidInput, NotFound
from tests.integration.test_content_support import build


@pytest.fixture
def engine(tmp_path):
    return build(tmp_path)


def _actions(engine, case_id):
    return [(e.action, e.details) for e in engine.audit_for_case(case_id)]


def test_fields_round_trip_and_every_access_is_audited(engine):
    case_id = engine.start_case("fixture", actor="intake")
    engine.put_content(case_id, "narrative", "el jefe pidió una coima", actor="intake")
    engine.put_content(case_id, "officer_note", "revisar contrato", actor="oii1")
    assert engine.content(case_id, actor="oii1") == {"narrative": "el jefe pidió una coima",
                                                     "officer_note": "revisar contrato"}
    actions = _actions(engine, case_id)
    assert ("content.write", {"fields": ["narrative"]}) in actions
    assert ("content.read", {"fields": ["narrative", "officer_note"]}) in actions
    reads = [e for e in engine.audit_for_case(case_id) if e.action == "content.read"]
    assert len(reads) == 1 and reads[0].actor == "oii1"


def test_rewriting_a_field_replaces_it(engine):
    case_id = engine.start_case("fixture")
    engine.put_content(case_id, "narrative", "v1", actor="a")
    engine.put_content(case_id, "narrative", "v2", actor="a")
    assert engine.content(case_id, actor="a") == {"narrative": "v2"}


@pytest.mark.parametrize("field", ["", "Narrative", "a b", "1x", "x" * 65, "../x"])
def test_bad_field_names_are_refused(engine, field):
    case_id = engine.start_case("fixture")
    with pytest.raises(InvalidInput):
        engine.put_content(case_id, field, "text", actor="a")


def test_comments_round_trip_in_order(engine):
    case_id = engine.start_case("fixture")
    first = engine.add_comment(case_id, "primero", "oii1", "officer")
    engine.rt.clock.advance(seconds=1)
    second = engine.add_comment(case_id, "segundo", "web", "complainant")
    found = engine.comments(case_id, actor="oii1")
    assert [(c.id, c.text, c.author_kind) for c in found] == [(first, "primero", "officer"),
                                                              (second, "segundo", "complainant")]
    with pytest.raises(InvalidInput):
        engine.add_comment(case_id, "x", "oii1", "admin")
    assert sum(1 for a, _ in _actions(engine, case_id) if a == "comment.add") == 2


def test_attachment_round_trip_with_sealed_name(engine):
    case_id = engine.start_case("fixture")
    data = bytes(range(256)) * 1000
    att = engine.add_attachment(case_id, "C:\\docs\\contrato firmado.pdf", data, "application/PDF", "intake")
    assert engine.attachment(case_id, att, actor="oii1") == ("contrato firmado.pdf", "application/pdf", data)
    bare = engine.attachments(case_id)
    assert [(a.id, a.size, a.filename, a.content_type) for a in bare] == [(att, len(data), None, None)]
    named = engine.attachments(case_id, actor="oii1")
    assert named[0].filename == "contrato firmado.pdf"
    actions = [a for a, _ in _actions(engine, case_id)]
    assert actions.count("attachment.read") == 1 and actions.count("attachment.list") == 1
    with engine.db.connect() as conn:
        stored = conn.execute(text("select body, meta_ciphertext from content_attachments")).one()
    assert b"contrato" not in stored.body + stored.meta_ciphertext
    assert data[:64] not in stored.body


def test_attachment_limits(engine):
    config = engine.rt.extras["content.crypto"].config
    config.max_attachment_bytes, config.max_attachments = 1000, 2
    case_id = engine.start_case("fixture")
    with pytest.raises(InvalidInput, match="larger than 1000"):
        engine.add_attachment(case_id, "a.bin", b"x" * 1001, "application/octet-stream", "a")
    engine.add_attachment(case_id, "a.bin", b"x" * 1000, "application/octet-stream", "a")
    engine.add_attachment(case_id, "b.bin", b"", "application/octet-stream", "a")
    with pytest.raises(InvalidInput, match="at most 2"):
        engine.add_attachment(case_id, "c.bin", b"x", "application/octet-stream", "a")
    assert len(engine.attachments(case_id)) == 2


@pytest.mark.parametrize("name,ctype", [("", "text/plain"), ("..", "text/plain"), ("a\x00b", "text/plain"),
                                        ("a\u202eb.pdf", "text/plain"), ("ok.txt", "text"),
                                        ("ok.txt", "text/plain; x=<script>")])
def test_attachment_names_and_types_are_checked(engine, name, ctype):
    case_id = engine.start_case("fixture")
    with pytest.raises(InvalidInput):
        engine.add_attachment(case_id, name, b"x", ctype, "a")


def test_unknown_attachment_and_case(engine):
    case_id = engine.start_case("fixture")
    with pytest.raises(NotFound):
        engine.attachment(case_id, "nope", actor="a")
    with pytest.raises(NotFound):
        engine.content("missing", actor="a")


def test_start_case_with_content_is_one_commit(engine):
    case_id = engine.start_case_with_content("fixture", {"channel": "web"}, {"narrative": "relato"}, actor="web")
    assert engine.content(case_id, actor="oii1") == {"narrative": "relato"}
    assert engine.case(case_id).data.get("channel") == "web"
    before = len(engine.cases())
    with pytest.raises(InvalidInput):
        engine.start_case_with_content("fixture", {}, {"Bad Name": "x"}, actor="web")
    with pytest.raises(InvalidInput):
        engine.start_case_with_content("fixture", {}, {"narrative": 42}, actor="web")
    assert len(engine.cases()) == before


def test_content_keys_are_refused_from_workflow_state(engine):
    secret = "texto-del-relato-que-no-debe-filtrarse"
    with pytest.raises(DisallowedTaskData) as info:
        engine.start_case("fixture", {"narrative": secret})
    message = str(info.value)
    assert "narrative" in message and "content store" in message and secret not in message
    case_id = engine.start_case("fixture")
    task = engine.tasks(case_id=case_id)[0]
    with pytest.raises(DisallowedTaskData):
        engine.complete_task(task.id, {"admissible": "yes", "narrative": secret})
    assert engine.tasks(case_id=case_id)[0].id == task.id


def test_split_form_data_sends_content_fields_to_the_content_store(engine):
    workflow, content = engine.split_form_data("fixture", "review", {"admissible": "yes", "narrative": " relato "})
    assert workflow == {"admissible": "yes"} and content == {"narrative": "relato"}
    assert engine.split_form_data("fixture", None, {"admissible": "no", "narrative": "x"})[0] == {"admissible": "no"}
    with pytest.raises(FormInvalid):
        engine.split_form_data("fixture", "review", {"admissible": "maybe", "narrative": "x"})
    with pytest.raises(NotFound):
        engine.split_form_data("fixture", "nope", {})
    case_id = engine.start_case("fixture")
    task = engine.tasks(case_id=case_id)[0]
    engine.complete_task(task.id, workflow)
    engine.put_content(case_id, "narrative", content["narrative"], actor="oii1")
    assert "narrative" not in engine.case(case_id).data
