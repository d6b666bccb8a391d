"""The dashboard pages (chief and auditor only; figures in their tables) and the public page
(no login; no count below k = 5; no personal data, checked with canaries)."""

from __future__ import annotations

import re

import pytest

from engine.services.indicators import SUPPRESSED, suppress
from tests.reports.seed import CANARY_ACCUSED, CANARY_NARRATIVE, WEB
from web import create_app


@pytest.fixture(scope="module")
def site(seeded):
    engine, clock, ids = seeded
    engine.configure_password_hashing(1, 8192, 1)
    users = {name: engine.create_user(name, "a long test password", f"Persona {name}", roles, tenant=tenant)
             for name, roles, tenant in (("jefa", ["chief"], "default"), ("auditora", ["auditor"], "default"),
                                         ("oficial", ["oii"], "default"))}
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789abcdef"}, engine=engine)
    return engine, app, users, ids


def _login(app, engine, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["auth"] = engine.start_session("officer", user.id)
    return client


def _table(html: str, key: str) -> list[list[str]]:
    body = re.search(rf'data-figure="{key}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_dashboard_access(site):
    engine, app, users, _ids = site
    assert app.test_client().get("/tablero/").status_code == 302
    assert _login(app, engine, users["oficial"]).get("/tablero/").status_code == 403
    assert _login(app, engine, users["jefa"]).get("/tablero/indicadores").status_code == 200


def test_chief_sees_own_entity_figures_in_tables(site):
    engine, app, users, _ids = site
    html = _login(app, engine, users["jefa"]).get("/tablero/?entidad=otra").get_data(as_text=True)
    assert _table(html, "channel") == [["mesa_de_partes", "1"], ["web", "2"]]  # a chief is bound to their entity
    assert ["Acuse de recibo al denunciante", "1", "2", "0", "33.3", "4", "2"] in [r[2:] for r in _table(html, "sla")]
    assert _table(html, "protection") == [["Otorgadas", "1"], ["Denegadas", "1"], ["Sin decisión", "0"]]
    assert 'src="/static/vendor/chart.umd.min.js"' in html and 'id="chart-sla"' in html
    assert CANARY_NARRATIVE not in html


def test_auditor_sees_overall_and_per_entity(site):
    engine, app, users, _ids = site
    client = _login(app, engine, users["auditora"])
    assert _table(client.get("/tablero/").get_data(as_text=True), "channel") == [["mesa_de_partes", "1"],
                                                                               ["web", "3"]]
    assert _table(client.get("/tablero/?entidad=otra").get_data(as_text=True), "channel") == [["web", "1"]]
    assert client.get("/tablero/?entidad=nadie").status_code == 404
    export = client.get("/tablero/exportar?formato=csv&campo=id&campo=channel")
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")


def test_suppression_rule():
    assert suppress({"a": 10, "b": 3}) == {"a": SUPPRESSED, "b": SUPPRESSED}  # 10 would reveal b = total - 10
    assert suppress({"a": 10, "b": 6, "c": 2}) == {"a": 10, "b": SUPPRESSED, "c": SUPPRESSED}
    assert suppress({"a": 5, "b": 7}) == {"a": 5, "b": 7}
    assert suppress({"only": 4}) == {"only": SUPPRESSED}


def test_public_page_suppresses_small_counts_and_has_no_personal_data(site):
    engine, app, _users, ids = site
    for _ in range(6):
        engine.start_case_with_content("denuncia", WEB, {"narrative": CANARY_NARRATIVE, "accused": CANARY_ACCUSED},
                                       actor="complainant", tenant="grande")
    engine.start_case_with_content("denuncia", {**WEB, "channel": "verbal"}, {"narrative": CANARY_NARRATIVE},
                                   actor="complainant", tenant="grande")
    html = app.test_client().get("/transparencia").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td>", html)
    numbers = [int(c) for c in cells if c.strip().isdigit()]
    assert numbers and all(n >= 5 for n in numbers)
    assert "<td>7</td>" in html  # received by "grande"
    assert "&lt; 5" in html
    for canary in (CANARY_NARRATIVE, CANARY_ACCUSED, "Canario", *ids.values(), "Persona jefa"):
        assert canary not in html
    assert "IF-1" in html and "https://www.gob.pe/contraloria/informes/IF-1" in html
