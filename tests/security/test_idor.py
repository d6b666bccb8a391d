"""IDOR: swapped case, task, attachment, message, notice, receipt and tenant ids (SECURITY.md property 9
and 15, test 3 second half; issue 11 item 2).

The world has entities `default` and `otra`. Complaint A (default) is worked by `assigned`; complaint
C lives in `otra` with its own task, attachment and comment, and `other_tenant` is its officer. Each
request below puts a foreign id where an authorised one belongs: it must be refused (403/404, or a
redirect to a login) and the response must carry none of the foreign object's data; requests that
would write must leave the foreign object unchanged.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import AuthActions, csrf_token, start_complaint

SECRET_C = "CANARYIDORC-narrativa-de-otra-entidad"
FILE_C = b"CANARYIDORFILE-contenido-de-otra-entidad"
COMMENT_C = "CANARYIDORCOMMENT-de-otra-entidad"
REFUSED = (302, 403, 404)


@pytest.fixture
def foreign(world):
    """Complaint C in entity `otra`: its case, task, attachment and comment ids."""
    engine = world.engine
    case_id, receipt = start_complaint(engine, SECRET_C, tenant="otra")
    att = engine.add_attachment(case_id, "c.txt", FILE_C, "text/plain", "complainant")
    engine.add_comment(case_id, COMMENT_C, actor="complainant", author_kind="complainant")
    task = engine.tasks(case_id=case_id)[0].id
    return {"case": case_id, "task": task, "attachment": att, "receipt": receipt}


def _clean(response) -> bool:
    body = response.get_data()
    return response.status_code in REFUSED and not any(s in body for s in (SECRET_C.encode(), FILE_C,
                                                                               COMMENT_C.encode()))


def test_officer_cannot_reach_another_entitys_case_by_id(client, auth, world, foreign):
    auth.login("assigned")
    a = world.cases["a"]
    token = csrf_token(client, f"/casos/{a}")
    gets = [f"/casos/{foreign['case']}", f"/casos/{foreign['case']}/adjuntos/{foreign['attachment']}",
            f"/casos/{a}/adjuntos/{foreign['attachment']}",  # my case, their attachment
            f"/tareas/{foreign['task']}", f"/tablero/expediente/{foreign['case']}.pdf"]
    posts = [f"/casos/{foreign['case']}/mensajes", f"/casos/{foreign['case']}/identidad/solicitar",
             f"/casos/{foreign['case']}/identidad/ver", f"/tareas/{foreign['task']}",
             f"/tareas/{foreign['task']}/tomar", f"/tareas/{foreign['task']}/soltar",
             f"/tareas/{foreign['task']}/reasignar"]
    for path in gets:
        assert _clean(client.get(path)), path
    before = world.engine.task(foreign["task"])
    for path in posts:
        response = client.post(path, data={"csrf_token": token, "text": "intrusión", "basis": "x",
                                           "password": "x", "user_id": world.users["assigned"].id})
        assert _clean(response), path
    after = world.engine.task(foreign["task"])
    assert (after.assignee, after.state) == (before.assignee, before.state)
    assert [c.text for c in world.engine.comments(foreign["case"], actor="test")] == [COMMENT_C]


def test_the_foreign_officer_cannot_reach_ours(client, auth, world):
    auth.login("other_tenant")
    a, task, att = world.cases["a"], world.cases["a_task"], world.cases["a_attachment"]
    for path in (f"/casos/{a}", f"/casos/{a}/adjuntos/{att}", f"/tareas/{task}"):
        response = client.get(path)
        assert response.status_code == 404 and b"Narrativa a" not in response.data and b"hola" not in response.data


def test_same_entity_officer_without_the_task_gets_no_content(client, auth, world):
    auth.login("unassigned")
    a, att = world.cases["a"], world.cases["a_attachment"]
    for path in (f"/casos/{a}", f"/casos/{a}/adjuntos/{att}"):
        response = client.get(path)
        assert response.status_code in (403, 404) and b"Narrativa a" not in response.data


def test_attachment_id_of_case_b_under_case_a_is_not_found(client, auth, world):
    b_att = world.engine.add_attachment(world.cases["b"], "b.txt", b"CANARYB-attachment", "text/plain", "complainant")
    auth.login("assigned")
    response = client.get(f"/casos/{world.cases['a']}/adjuntos/{b_att}")
    assert response.status_code == 404 and b"CANARYB" not in response.data


def test_notice_of_another_user_cannot_be_marked_read(client, auth, world):
    engine = world.engine
    other = world.users["other_tenant"]
    engine.add_notify_recipient("*", "assignee", other.id, None, tenant="otra")
    start_complaint(engine, "x", tenant="otra")
    for _ in range(6):
        world.clock.advance(days=3)
        engine.send_reminders()
    notices = engine.notifications(other.id)
    assert notices, "the setup must give the other officer a notice"
    auth.login("assigned")
    token = csrf_token(client, "/bandeja")
    response = client.post(f"/avisos/{notices[0].id}/leido", data={"csrf_token": token})
    assert response.status_code == 404
    assert notices[0].id in {n.id for n in engine.notifications(other.id, unread_only=True)}


def test_complainants_see_only_their_own_case(app, world, foreign):
    engine = world.engine
    engine.add_comment(world.cases["a"], "CANARYA-mensaje", actor="x", author_kind="officer")
    b = app.test_client()
    AuthActions(b, world).receipt("b")
    page = b.get("/seguimiento/caso").get_data(as_text=True)
    assert "CANARYA" not in page and COMMENT_C not in page
    # Tampering with the signed session cookie logs the complainant out instead of switching cases.
    cookie = b.get_cookie("probidad")
    b.set_cookie("probidad", cookie.value[:-4] + ("AAAA" if not cookie.value.endswith("AAAA") else "BBBB"))
    assert b.get("/seguimiento/caso").status_code == 302


def test_a_receipt_opens_only_its_case_and_near_misses_open_nothing(world, foreign):
    engine = world.engine
    receipts = [world.receipts["a"], world.receipts["b"], foreign["receipt"]]
    opened = [engine.check_receipt(r) for r in receipts]
    assert opened == [world.cases["a"], world.cases["b"], foreign["case"]]
    tried = 0
    for receipt in receipts:
        for i, ch in enumerate(receipt):
            if ch == "-":
                continue
            for swap in ("A", "Z", "2"):
                if swap != ch:
                    assert engine.check_receipt(receipt[:i] + swap + receipt[i + 1:]) is None
                    tried += 1
        assert engine.check_receipt(receipt.lower()) in (None, engine.check_receipt(receipt))
    assert tried >= 100


def test_api_token_is_confined_to_its_entity(app, world, foreign):
    _token_id, token = world.engine.create_api_token("default", "oii", "sistema x")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{world.cases['a']}", headers=headers).status_code == 200
    for method, path, body in (("get", f"/api/v1/cases/{foreign['case']}", None),
                               ("post", f"/api/v1/tasks/{foreign['task']}/claim", {}),
                               ("post", f"/api/v1/tasks/{foreign['task']}/complete", {"data": {}})):
        response = getattr(client, method)(path, headers=headers, json=body)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert SECRET_C.encode() not in response.data
    listing = client.get("/api/v1/cases", headers=headers).get_data(as_text=True)
    assert foreign["case"] not in listing
    tasks = client.get("/api/v1/tasks", headers=headers).get_data(as_text=True)
    assert foreign["task"] not in tasks
    assert world.engine.task(foreign["task"]).assignee is None


def test_intake_into_an_unknown_entity_is_refused(client, world):
    token = csrf_token(client, "/denuncia")
    before = len(world.engine.cases(limit=10_000))
    response = client.post("/denuncia", data={"csrf_token": token, "entity": "no-existe", "fact_date": "2025-01-02",
                                              "reason_categories": ["bribery"], "narrative": "x", "identify": "no"})
    assert response.status_code == 422
    assert len(world.engine.cases(limit=10_000)) == before
