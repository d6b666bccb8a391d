"""Canary leak sweep over the whole system, driven through the web app (SECURITY.md property 1 and 7,
tests 1, 13 and 14; issue 11 item 1).

Unique canaries go into every content field of the public intake (narrative, accused name and role,
evidence), the identity and contact, two attachments' names and bodies, the complainant's follow-up
message, the officer's task notes and message, the officer's password and TOTP secret, and the
receipt the complainant is shown. The web app is driven end to end with the Flask test client:
intake -> receipt -> follow-up message and file -> officer login with TOTP -> task completion ->
case page and download -> custodian release -> identity read -> export -> reminders e-mailed to a
real SMTP sink (aiosmtpd) -> timers -> key rotation.

Then every canary is searched, raw and as base64 (every alignment), base32, hex, UTF-16, URL,
unicode-escape and XML references, in: the database file and its WAL and every other file of the
instance folder (the keys folder excepted), every log record at DEBUG (the werkzeug logger
included), every e-mail on the wire, every case's decrypted and decompressed workflow state, the
decoded audit log, and the case-list export: 0 hits. Receipts and passwords exist only as their
Argon2id/HMAC forms, which the search proves by not finding them.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import zlib
from datetime import timedelta

import pyotp
import pytest
from aiosmtpd.controller import Controller

from engine.adapters.smtp import SmtpNotifier
from tests.security.conftest import make_app
from tests.web.conftest import CUSTODIAN_PASSPHRASE, PASSWORD, AuthActions, csrf_token

KINDS = ("narrative", "accused_name", "accused_role", "evidence", "identity", "contact", "file_name", "file_body",
         "file2_name", "file2_body", "followup", "officer_note", "officer_message", "password")


class Sink:
    """An SMTP server that keeps every message."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        """Keep the raw message."""
        self.messages.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    """(sink, smtp url) of an aiosmtpd server on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"smtp://127.0.0.1:{port}"
    controller.stop()


def _intake(client, c) -> str:
    token = csrf_token(client, "/denuncia")
    data = {"csrf_token": token, "entity": "default", "fact_date": "2025-01-02", "reason_categories": ["bribery"],
            "narrative": f"Hechos: {c['narrative']}", "accused_name": c["accused_name"],
            "accused_role": c["accused_role"], "evidence": c["evidence"], "identify": "yes",
            "identity": c["identity"], "contact": c["contact"],
            "attachments": (io.BytesIO(c["file_body"].encode() * 40), f"{c['file_name']}.pdf")}
    response = client.post("/denuncia", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    body = response.get_data(as_text=True)
    assert "no pudo" not in body, "an attachment or the identity was refused"
    return re.search(r'id="receipt">([A-Z0-9-]+)<', body).group(1)


def _followup(client, receipt: str, c) -> None:
    token = csrf_token(client, "/seguimiento")
    assert client.post("/seguimiento", data={"receipt": receipt, "csrf_token": token}).status_code == 302
    token = csrf_token(client, "/seguimiento/caso")
    client.post("/seguimiento/mensaje", data={"text": c["followup"], "csrf_token": token})
    client.post("/seguimiento/adjunto", data={"csrf_token": token, "file": (
        io.BytesIO(c["file2_body"].encode() * 40), f"{c['file2_name']}.txt")}, content_type="multipart/form-data")
    client.post("/seguimiento/salir", data={"csrf_token": token})


def _officer(world, c) -> tuple[object, str]:
    user = world.engine.create_user("canario", c["password"], "Oficial Canario", ["mesa_de_partes", "oii"])
    secret = world.engine.enroll_totp(user.id, actor="test", confirmed=True)
    world.secrets["canario"] = secret
    return user, secret


def _fill(form, note: str) -> tuple[dict, bool]:
    """Values for every field of a task form: content fields get the officer's canary note."""
    data, noted = {}, False
    for field in form.fields:
        if field.content:
            data[field.name], noted = note, True
        elif field.type in ("choice", "multichoice"):
            data[field.name] = field.choices[0].value
        elif field.type == "date":
            data[field.name] = "2025-03-03"
        elif field.type in ("text", "number", "int"):
            data[field.name] = "1"
    return data, noted


def _work_the_case(client, world, case_id: str, c) -> None:
    auth = AuthActions(client, world)
    auth.login("canario", c["password"])
    assert client.get("/bandeja").status_code == 200
    noted = False
    for _ in range(4):  # complete tasks until one with a content field took the officer's note
        task = world.engine.tasks(case_id=case_id)[0]
        assert client.get(f"/tareas/{task.id}").status_code == 200
        token = csrf_token(client, f"/tareas/{task.id}")
        data, noted = _fill(world.engine.form(task.process_id, task.form_id), c["officer_note"])
        data.update(csrf_token=token, expected_version=world.engine.case(case_id).version)
        done = client.post(f"/tareas/{task.id}", data=data)
        assert done.status_code == 302, done.get_data(as_text=True)[-300:]
        if noted:
            break
    assert noted, "no task form with a content field was reached"
    case_page = client.get(f"/casos/{case_id}").get_data(as_text=True)
    assert c["narrative"] in case_page and c["officer_note"] in case_page
    assert c["identity"] not in case_page  # the identity stays sealed for the custodian
    for info in world.engine.attachments(case_id):
        download = client.get(f"/casos/{case_id}/adjuntos/{info.id}")
        assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    token = csrf_token(client, f"/casos/{case_id}")
    client.post(f"/casos/{case_id}/mensajes", data={"text": c["officer_message"], "csrf_token": token})
    client.post(f"/casos/{case_id}/identidad/solicitar", data={"basis": "Orden judicial 7-2025",
                                                               "csrf_token": token})
    auth.logout()


def _custodian_releases(client, world, case_id: str) -> None:
    auth = AuthActions(client, world)
    auth.login("custodian", PASSWORD)
    page = client.get(f"/casos/{case_id}").get_data(as_text=True)
    request_id = re.search(r'name="request_id" value="([0-9a-f]+)"', page).group(1)
    token = csrf_token(client, f"/casos/{case_id}")
    client.post(f"/casos/{case_id}/identidad/decidir", data={"request_id": request_id, "decision": "approve",
                                                             "passphrase": CUSTODIAN_PASSPHRASE, "csrf_token": token})
    auth.logout()


def _read_identity_and_export(client, world, case_id: str, c) -> bytes:
    auth = AuthActions(client, world)
    auth.login("canario", c["password"])
    token = csrf_token(client, f"/casos/{case_id}")
    shown = client.post(f"/casos/{case_id}/identidad/ver", data={"password": c["password"], "csrf_token": token})
    assert c["identity"] in shown.get_data(as_text=True)
    auth.logout()
    auth.login("chief", PASSWORD)
    export = client.get("/tablero/exportar?formato=csv")
    assert export.status_code == 200
    auth.logout()
    return export.data


def _mail_and_timers(world, smtp_url: str) -> None:
    engine = world.engine
    engine.rt.notifier = SmtpNotifier(smtp_url, "probidad@localhost")
    for lane in ("mesa_de_partes", "oii"):
        for level in ("assignee", "superior", "office_head", "entity_head"):
            engine.add_notify_recipient(lane, level, engine.user_by_username("canario").id, "oficial@example.pe")
    for _ in range(12):
        world.clock.advance(timedelta(days=3))
        engine.tick()
        engine.send_reminders()
    engine.send_digest()
    engine.rotate_keys("all", actor="admin")


def _haystacks(world, sink, caplog, export: bytes) -> dict[str, bytes]:
    engine = world.engine
    instance = engine.settings.instance
    keys = engine.settings.keys_path.resolve()
    found = {}
    for path in instance.rglob("*"):
        if path.is_file() and not path.resolve().is_relative_to(keys):
            found[f"file {path.relative_to(instance)}"] = path.read_bytes()
    found["logs"] = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {r.exc_text or ''}"
                              for r in caplog.records).encode("utf-8", "replace")
    found["mail"] = b"\n".join(sink.messages)
    with engine.rt.uow_factory(readonly=True) as uow:
        cases = uow.cases.list(limit=10_000)
        states = {case.id: (case.tenant_id, uow.states.get(case.id)) for case in cases}
        found["audit"] = repr([(e.actor, e.action, e.details) for e in uow.audit.all()]).encode()
    for case_id, (tenant, sealed) in states.items():
        state = engine.rt.sealer.open(tenant, case_id, sealed)
        found[f"state {case_id}"] = state + zlib.decompress(state)
        found[f"view {case_id}"] = repr(engine.case(case_id).as_dict()).encode()
    found["export"] = export
    return found


def test_no_canary_leaks_anywhere_after_a_full_web_journey(tmp_path, custodian_world, canaries, caplog, smtp):
    caplog.set_level(logging.DEBUG)
    for name in ("", "werkzeug", "probidad", "flask.app"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    world, (sink, smtp_url) = custodian_world, smtp
    c = canaries(KINDS)
    client = make_app(world).test_client()
    _user, totp_secret = _officer(world, c)
    receipt = _intake(client, c)
    case_id = world.engine.check_receipt(receipt)
    _followup(client, receipt, c)
    _work_the_case(client, world, case_id, c)
    _custodian_releases(client, world, case_id)
    export = _read_identity_and_export(client, world, case_id, c)
    _mail_and_timers(world, smtp_url)

    # Secrets that are not CANARY-shaped are searched too: the receipt and the TOTP secret.
    c.values["receipt"], c.values["receipt_bare"] = receipt, receipt.replace("-", "")
    c.values["totp_secret"] = totp_secret
    assert pyotp.TOTP(totp_secret).now()
    # Sanity: everything went where it should, and the search finds what is there.
    assert world.engine.content(case_id, actor="test")["narrative"].endswith(c["narrative"])
    assert {x.author_kind for x in world.engine.comments(case_id, actor="test")} == {"complainant", "officer"}
    assert len(world.engine.attachments(case_id)) == 2
    assert sink.messages, "no e-mail was sent: the mail check would prove nothing"
    assert c.hits(b"xx" + c["file_body"].encode("utf-16-le")) == ["file_body"]

    leaks = {where: found for where, hay in _haystacks(world, sink, caplog, export).items()
             if (found := c.hits(hay))}
    assert leaks == {}
