"""Inbox, task forms (validation, stale case), claims, reassignment, case page and admin pages."""

from __future__ import annotations

import re

from tests.web.conftest import csrf_token


def _version(page: str) -> str:
    return re.search(r'name="expected_version" value="(\d+)"', page).group(1)


def test_inbox_lists_my_lane_tasks_with_days_left(client, auth, world):
    auth.login("assigned")
    page = client.get("/bandeja").get_data(as_text=True)
    assert world.cases["a_task"] in page
    assert "d. háb." in page and "due-" in page
    other = world.engine.tasks(case_id=world.cases["b"])[0]
    assert other.id in page  # unassigned task of my lane
    mine = client.get("/bandeja?mine=1").get_data(as_text=True)
    assert world.cases["a_task"] in mine and other.id not in mine


def test_task_form_validates_and_completes(client, auth, world):
    auth.login("assigned")
    task_id = world.cases["a_task"]
    page = client.get(f"/tareas/{task_id}").get_data(as_text=True)
    token = csrf_token(client, f"/tareas/{task_id}")
    bad = client.post(f"/tareas/{task_id}", data={"csrf_token": token, "expected_version": _version(page)})
    assert bad.status_code == 422 and "obligatorio" in bad.get_data(as_text=True)
    done = client.post(f"/tareas/{task_id}", data={"csrf_token": token, "expected_version": _version(page),
                                                   "ack_method": "platform", "ack_date": "2025-03-03"})
    assert done.status_code == 302
    assert world.engine.tasks(case_id=world.cases["a"])[0].name == "assess_admissibility"


def test_stale_case_keeps_what_was_typed(client, auth, world):
    auth.login("assigned")
    task_id = world.cases["a_task"]
    page = client.get(f"/tareas/{task_id}").get_data(as_text=True)
    token = csrf_token(client, f"/tareas/{task_id}")
    world.engine.complete_task(task_id, {"ack_method": "email", "ack_date": "2025-03-03"}, actor="someone")
    response = client.post(f"/tareas/{task_id}", data={"csrf_token": token, "expected_version": _version(page),
                                                       "ack_method": "platform", "ack_date": "2025-03-04"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "El caso cambió" in body and 'value="2025-03-04"' in body


def test_claim_release_and_reassign(client, auth, world):
    engine = world.engine
    task = engine.tasks(case_id=world.cases["b"])[0]
    auth.login("unassigned")
    token = csrf_token(client, "/bandeja")
    client.post(f"/tareas/{task.id}/tomar", data={"csrf_token": token})
    assert engine.task(task.id).assignee == world.users["unassigned"].id
    client.post(f"/tareas/{task.id}/soltar", data={"csrf_token": token})
    assert engine.task(task.id).assignee is None
    auth.logout()
    auth.login("chief")
    token = csrf_token(client, "/bandeja")
    client.post(f"/tareas/{task.id}/reasignar", data={"csrf_token": token, "user_id": world.users["assigned"].id})
    assert engine.task(task.id).assignee == world.users["assigned"].id


def test_task_of_another_entity_is_not_found(client, auth, world):
    auth.login("other_tenant")
    assert client.get(f"/tareas/{world.cases['a_task']}").status_code == 404
    assert world.cases["a_task"] not in client.get("/bandeja").get_data(as_text=True)


def test_case_page_shows_content_deadlines_and_downloads(client, auth, world):
    auth.login("assigned")
    case_id = world.cases["a"]
    page = client.get(f"/casos/{case_id}").get_data(as_text=True)
    assert "Narrativa a" in page and "Historial" in page and "case.start" in page
    link = re.search(r'href="(/casos/[0-9a-f]+/adjuntos/[0-9a-f]+)"', page).group(1)
    download = client.get(link)
    assert download.data == b"hola"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_custodian_sees_panel_but_no_content(client, auth, world):
    auth.login("custodian")
    page = client.get(f"/casos/{world.cases['a']}").get_data(as_text=True)
    assert "Panel del custodio" in page and "Narrativa a" not in page
    assert client.get(f"/casos/{world.cases['a']}/adjuntos/{world.cases['a_attachment']}").status_code == 404


def test_english_task_form(client, auth, world):
    auth.login("assigned")
    page = client.get(f"/tareas/{world.cases['a_task']}?lang=en").get_data(as_text=True)
    assert "Acknowledge receipt" in page and "Complete the task" in page


def test_admin_pages(client, auth, world):
    auth.login("admin")
    for path in ("/admin/", "/admin/usuarios", "/admin/entidades", "/admin/calendario", "/admin/plazos"):
        assert client.get(path).status_code == 200, path
    token = csrf_token(client, "/admin/usuarios")
    page = client.post("/admin/usuarios", data={"csrf_token": token, "username": "nuevo_oii", "full_name": "Nuevo",
                                                "roles": ["oii"], "tenant": "default"}).get_data(as_text=True)
    assert "new-password" in page and world.engine.user_by_username("nuevo_oii") is not None
    client.post("/admin/calendario", data={"csrf_token": token, "day": "2025-07-30", "reason": "DS 001-2025"})
    assert [d.isoformat() for d in world.engine.extra_days()] == ["2025-07-30"]
    client.post("/admin/plazos", data={"csrf_token": token, "policy": "denuncia.acuse", "length": "5",
                                       "basis": "Resolución 1-2025"})
    assert "Resolución 1-2025" in client.get("/admin/plazos").get_data(as_text=True)
