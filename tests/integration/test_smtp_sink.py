"""Reminder e-mails through a real SMTP server (aiosmtpd on 127.0.0.1): recipients, subject, link,
exactly-once delivery, and no case content (SECURITY.md 7 and test 13)."""

from __future__ import annotations

import base64
import socket
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from engine.adapters.smtp import SmtpNotifier
from engine.errors import DisallowedTaskData
from engine.testing import MemoryKeyRing
from tests.fixtures.notify_support import reminder_engine

CANARY = "CANARY-7f3a9c-denunciante-Juan-Perez-recibo-XK42"
BASE = "http://127.0.0.1:5000"
# rem_bd (denuncia.evaluacion, 3 business days from Mon 3 Mar 2025): reminders 4 and 5 Mar 08:00 Lima,
# due 7 Mar 00:00 Lima, escalations 7, 10 and 11 Mar 08:00 Lima.
INSTANTS = ["2025-03-04T13:00", "2025-03-05T13:00", "2025-03-07T05:00", "2025-03-07T13:00",
            "2025-03-10T13:00", "2025-03-11T13:00"]


class Sink:
    """Collects every message the server accepts."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        """Store the envelope recipients and the raw message."""
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _encodings(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, base64.b64encode(raw), raw.hex().encode(), text.encode("utf-16-le"),
            text.replace(" ", "%20").encode(), text.lower().encode()]


def _seed_canary(engine, case_id: str) -> None:
    """Put the canary in the case's sealed narrative, and try it as task data (refused)."""
    with pytest.raises(DisallowedTaskData):
        engine.start_case("rem_bd", {"narrative": CANARY})
    keys = engine.rt.extras.get("content.keys")
    if keys is None or not hasattr(engine, "put_content"):
        return  # no content store in this build: the refused task data is the only way in
    keys.use("content", MemoryKeyRing("content"))
    engine.put_content(case_id, "narrative", CANARY, actor="test")
    assert engine.content(case_id, actor="test")["narrative"] == CANARY


def _run_through(engine, clock, instants) -> None:
    for at in instants:
        clock.set(_z(at))
        for _ in range(3):
            engine.tick()
            engine.send_reminders()


def test_reminder_emails_reach_the_sink_once_and_carry_no_content(tmp_path, sink):
    handler, url = sink
    engine, clock = reminder_engine(tmp_path, notifier=SmtpNotifier(url, "probidad@entidad.example.pe"))
    case_id = engine.start_case("rem_bd")
    _seed_canary(engine, case_id)
    _run_through(engine, clock, INSTANTS)

    parsed = [(rcpts, message_from_bytes(raw, policy=default_policy)) for rcpts, raw in handler.messages]
    by_rcpt = sorted((rcpts[0], msg["Subject"]) for rcpts, msg in parsed)
    code = case_id[:8].upper()
    assert [r for r, _ in by_rcpt] == ["ana@oii.example.pe"] * 4 + ["bruno@oii.example.pe", "carla@oii.example.pe"]
    for rcpts, msg in parsed:
        assert len(rcpts) == 1 and msg["To"] == rcpts[0]
        assert msg["From"] == "probidad@entidad.example.pe"
        assert f"caso {code}" in msg["Subject"] and "vence 2025-03-06" in msg["Subject"]
        body = msg.get_content()
        assert f"{BASE}/casos/{case_id}" in body
        assert "Evaluación y derivación de la denuncia por la OII" in body
    kinds = sorted(msg["Subject"].split(" - ")[0] for _, msg in parsed)
    assert kinds == sorted(["[probidad] Recordatorio"] * 2 + ["[probidad] Aviso"]
                           + ["[probidad] Escalamiento (LPAG 143)"] * 3)
    assert len({msg["Message-ID"] for _, msg in parsed}) == 6
    everything = b"\n".join(raw for _, raw in handler.messages)
    for needle in _encodings(CANARY):
        assert needle not in everything
    assert b"Juan" not in everything and b"recibo" not in everything.lower()


def test_a_failed_smtp_server_is_retried_and_the_mail_sent_once(tmp_path, sink):
    handler, url = sink
    dead = SmtpNotifier(f"smtp://127.0.0.1:{_free_port()}", "probidad@entidad.example.pe", timeout=2)
    engine, clock = reminder_engine(tmp_path, notifier=dead)
    case_id = engine.start_case("rem_bd")
    clock.set(_z(INSTANTS[0]))
    result = engine.send_reminders()
    assert (result.sent, result.emailed) == (1, 0)
    with engine.rt.uow_factory(readonly=True) as uow:
        assert uow.notices.mail_count("pending") == 1
    engine.rt.notifier = SmtpNotifier(url, "probidad@entidad.example.pe")
    assert engine.deliver_email() == 1
    assert engine.deliver_email() == 0
    assert engine.send_reminders().emailed == 0
    assert len(handler.messages) == 1
    assert case_id[:8].upper() in message_from_bytes(handler.messages[0][1])["Subject"]


def test_daily_digest_once_per_officer_per_day(tmp_path, sink):
    handler, url = sink
    engine, clock = reminder_engine(tmp_path, notifier=SmtpNotifier(url, "probidad@entidad.example.pe"))
    cases = [engine.start_case("rem_bd"), engine.start_case("rem_cd")]
    _seed_canary(engine, cases[0])
    clock.set(_z("2025-03-05T13:00"))
    engine.send_reminders()
    before = len(handler.messages)
    clock.set(_z("2025-03-05T23:00"))
    assert engine.send_digest() == 1
    assert engine.send_digest() == 0
    digests = [message_from_bytes(raw, policy=default_policy) for _, raw in handler.messages[before:]]
    assert len(digests) == 1
    assert digests[0]["To"] == "ana@oii.example.pe"
    assert digests[0]["Subject"] == "[probidad] Resumen diario de plazos 2025-03-05"
    body = digests[0].get_content()
    assert f"Caso {cases[0][:8].upper()}" in body and f"{BASE}/casos/{cases[0]}" in body
    assert CANARY.encode() not in handler.messages[-1][1]


def test_bootstrap_wires_smtp_from_settings(tmp_path):
    from engine import bootstrap_notify

    engine, _ = reminder_engine(tmp_path)
    engine.rt.notifier = None
    settings = engine.settings.with_(smtp_url="smtp://127.0.0.1:2525", mail_from="avisos@entidad.example.pe")
    bootstrap_notify.wire(engine, settings, None)
    assert isinstance(engine.rt.notifier, SmtpNotifier)
    assert (engine.rt.notifier.host, engine.rt.notifier.port) == ("127.0.0.1", 2525)
    assert engine.rt.notifier.sender == "avisos@entidad.example.pe"
