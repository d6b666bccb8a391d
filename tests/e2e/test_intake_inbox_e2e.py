"""End to end in Debian's Chromium against `probidad run` on 127.0.0.1 (issue 7 acceptance).

1. an anonymous complaint with an attachment; the receipt is saved;
2. an officer logs in with TOTP, sees the task and processes it through admissibility and routing;
3. the complainant sees the new status and the office's message with the receipt;
4. the same flow in English.
Screenshots of each page go to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
import pytest

from tests.e2e.common import ARGS, CHROMIUM, SHOTS, init_demo, start_server, stop_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`probidad init` then `probidad run` on a free port; yields (base_url, demo users)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    instance = tmp_path_factory.mktemp("instance")
    env = {**os.environ, "PROBIDAD_INSTANCE": str(instance), "PROBIDAD_TIMER_INTERVAL": "3600"}
    users = init_demo(env)
    assert "demo_oii" in users, sorted(users)
    proc, base = start_server(env)
    yield base, users
    errors = stop_server(proc)
    assert "127.0.0.1 - -" not in errors  # no client address in the access log


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _file_complaint(page, base: str, lang: str, attachment: Path) -> str:
    page.goto(f"{base}/denuncia?lang={lang}")
    _shot(page, f"{lang}-01-intake-facts")
    page.fill("#fact_date", "2025-02-10")
    page.check("input[name=reason_categories][value=bribery]")
    page.fill("#narrative", "El jefe de logística pidió dinero para aprobar una orden de compra.")
    page.click("[data-next]")
    page.fill("#accused_name", "Persona Denunciada")
    page.fill("#accused_role", "Jefe de logística")
    page.click("[data-next]")
    page.set_input_files("#attachments", str(attachment))
    page.click("[data-next]")
    _shot(page, f"{lang}-02-intake-identity")
    page.click("[data-next]")
    page.click("button[type=submit]:visible")
    page.wait_for_selector("#receipt")
    receipt = page.inner_text("#receipt").strip()
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", receipt)
    _shot(page, f"{lang}-03-receipt")
    with page.expect_download() as download:
        page.click("form[action$='comprobante.pdf'] button")
    assert download.value.suggested_filename.endswith(".pdf")
    page.check("#saved")
    page.click("form[action$='/denuncia/listo'] button")
    page.wait_for_selector("a[href='/seguimiento']")
    return receipt, code


def _officer_login(page, base: str, lang: str, username: str, password: str, secret: str, step: int) -> None:
    page.goto(f"{base}/ingresar?lang={lang}")
    _shot(page, f"{lang}-04-login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#code")
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + step * 30))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/bandeja"))


def _row(code: str) -> str:
    return f"table.tasks tbody tr:has(a.code:text-is('{code}'))"


def _work_task(page, code: str, shot: str | None, fill) -> None:
    page.click(f"{_row(code)} td:nth-child(2) a")
    page.wait_for_selector("form.task-form")
    fill(page)
    if shot:
        _shot(page, shot)
    page.click("form.task-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/bandeja"))


def _process_case(page, code: str, lang: str) -> None:
    _shot(page, f"{lang}-05-inbox")
    _work_task(page, code, f"{lang}-06-task-acknowledge", lambda p: (
        p.check("input[name=ack_method][value=platform]"), p.fill("#ack_date", "2025-03-03")))
    _work_task(page, code, f"{lang}-07-task-admissibility", lambda p: (
        p.check("input[name=admissibility][value=admissible]"),
        p.fill("#admissibility_reasons", "Cumple los requisitos.")))
    _work_task(page, code, None, lambda p: (
        p.check("input[name=classification][value=corruption]"),
        p.check("input[name=corruption_kinds][value=administrative_fault]")))
    _work_task(page, code, f"{lang}-08-task-routing", lambda p: (
        p.check("input[name=route_targets][value=st_pad]"), p.fill("#routing_reasons", "Falta administrativa.")))


def _message_complainant(page, base: str, case_link: str, lang: str, text: str) -> None:
    page.goto(base + case_link + f"?lang={lang}")
    page.fill("#text", text)
    page.click("form[action$='/mensajes'] button")
    page.wait_for_selector(f"text={text}")
    _shot(page, f"{lang}-09-case")


def _follow_up(page, base: str, lang: str, receipt: str, expected_status: str, message: str) -> None:
    page.goto(f"{base}/seguimiento?lang={lang}")
    page.fill("#receipt", receipt)
    page.click("main button[type=submit]")
    page.wait_for_selector("#status")
    assert expected_status in page.inner_text("#status")
    assert message in page.content()
    _shot(page, f"{lang}-10-followup")


@pytest.mark.parametrize("lang,step,status,message", [
    ("es", 0, "Derivada", "Su denuncia fue derivada a la Secretaría Técnica."),
    ("en", 1, "Routed", "Your complaint was routed to the technical secretariat."),
])
def test_complaint_to_routing_and_follow_up(server, browser, tmp_path, lang, step, status, message):
    base, users = server
    attachment = tmp_path / "evidencia.txt"
    attachment.write_text("orden de compra 123", encoding="utf-8")
    complainant = browser.new_context(accept_downloads=True)
    receipt, code = _file_complaint(complainant.new_page(), base, lang, attachment)

    officer = browser.new_context()
    page = officer.new_page()
    password, secret = users["demo_oii"]
    _officer_login(page, base, lang, "demo_oii", password, secret, step)
    case_link = page.get_attribute(f"{_row(code)} td:nth-child(3) a", "href")
    _process_case(page, code, lang)
    _message_complainant(page, base, case_link, lang, message)
    assert "evidencia.txt" in page.content()

    _follow_up(complainant.new_page(), base, lang, receipt, status, message)
    complainant.close()
    officer.close()
