"""Public intake, the receipt, the PDF, follow-up with the receipt, and stored XSS in officer views."""

from __future__ import annotations

import io
import re

from tests.web.conftest import build_world, csrf_token
from web import create_app

XSS = "<script>alert('x')</script> {{7*7}} \u202eevil\u202c <img src=x onerror=alert(1)>"


def _submit(client, **extra):
    token = csrf_token(client, "/denuncia")
    data = {"csrf_token": token, "entity": "default", "fact_date": "2025-01-02", "reason_categories": ["bribery"],
            "narrative": "Hechos de la denuncia", "accused_name": "", "accused_role": "", "identify": "no"}
    data.update(extra)
    return client.post("/denuncia", data=data, content_type="multipart/form-data")


def _receipt(response) -> str:
    found = re.search(r'id="receipt">([A-Z0-9-]+)<', response.get_data(as_text=True))
    assert found, "no receipt on the page"
    return found.group(1)


def test_intake_shows_a_receipt_once_and_stores_only_its_hash(client, world):
    response = _submit(client, attachments=(io.BytesIO(b"evidencia"), "prueba.txt"))
    receipt = _receipt(response)
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", receipt)  # 16 symbols of 5 bits: 80 bits
    assert response.headers["Cache-Control"] == "no-store"
    case_id = world.engine.check_receipt(receipt)
    assert case_id is not None
    assert world.engine.case(case_id).data["channel"] == "web"
    assert "narrative" not in world.engine.case(case_id).data  # content never in workflow data
    assert len(world.engine.attachments(case_id)) == 1
    dump = b"".join(p.read_bytes() for p in world.engine.settings.instance.glob("*.db*"))
    assert receipt.encode() not in dump and receipt.replace("-", "").encode() not in dump


def test_intake_validation_keeps_input(client):
    response = _submit(client, fact_date="", narrative="Lo que escribí")
    assert response.status_code == 422
    assert "Lo que escribí" in response.get_data(as_text=True)


def test_receipt_pdf_and_saved_confirmation(client):
    receipt = _receipt(_submit(client))
    token = csrf_token(client, "/denuncia")
    pdf = client.post("/denuncia/comprobante.pdf", data={"receipt": receipt, "csrf_token": token})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert client.post("/denuncia/comprobante.pdf", data={"receipt": "AAAA-BBBB-CCCC-DDDD",
                                                          "csrf_token": token}).status_code == 404
    assert client.post("/denuncia/listo", data={"csrf_token": token}).status_code == 422
    assert client.post("/denuncia/listo", data={"saved": "yes", "csrf_token": token}).status_code == 200


def test_followup_status_messages_and_identity(client, auth, world):
    case_id = world.cases["b"]
    auth.receipt("b")
    page = client.get("/seguimiento/caso").get_data(as_text=True)
    assert "Recibida" in page
    token = csrf_token(client, "/seguimiento/caso")
    client.post("/seguimiento/mensaje", data={"text": "Información adicional", "csrf_token": token})
    comments = world.engine.comments(case_id, actor="test")
    assert [c.author_kind for c in comments] == ["complainant"]
    world.engine.add_comment(case_id, "Respuesta de la oficina", actor="x", author_kind="officer")
    assert "Respuesta de la oficina" in client.get("/seguimiento/caso?lang=en").get_data(as_text=True)
    assert "Received" in client.get("/seguimiento/caso").get_data(as_text=True)


def test_wrong_receipt_and_rate_limit(client):
    token = csrf_token(client, "/seguimiento")
    codes = [client.post("/seguimiento", data={"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZ2", "csrf_token": token}).status_code
             for _ in range(7)]
    assert codes[0] == 200 and 429 in codes
    assert client.get("/seguimiento/caso").status_code == 302


def test_complainant_identity_sealed_later(tmp_path):
    world = build_world(tmp_path, custodian=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 32}, engine=world.engine)
    client = app.test_client()
    token = csrf_token(client, "/seguimiento")
    client.post("/seguimiento", data={"receipt": world.receipts["a"], "csrf_token": token})
    token = csrf_token(client, "/seguimiento/caso")
    client.post("/seguimiento/identidad", data={"identity": "María López 12345678", "csrf_token": token})
    code = world.engine.identity_code(world.cases["a"])
    assert code and code in client.get("/seguimiento/caso").get_data(as_text=True)


def test_stored_xss_is_inert_in_officer_views(client, auth, world):
    case_id = world.engine.start_case_with_content(
        "denuncia", {"channel": "web", "anonymous": True, "protection_requested": False,
                     "reason_categories": ["other"], "fact_date": "2025-01-02"}, {"narrative": XSS},
        actor="complainant")
    world.engine.add_comment(case_id, XSS, actor="complainant", author_kind="complainant")
    auth.login("assigned")
    page = client.get(f"/casos/{case_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert "{{7*7}}" in page and ">49<" not in page
    assert "\u202e" not in page and "[U+202E]" in page


def test_conflict_of_interest_hides_the_case(client, auth, world):
    engine = world.engine
    case_id = engine.start_case_with_content(
        "denuncia", {"channel": "web", "anonymous": True, "protection_requested": False,
                     "reason_categories": ["other"], "fact_date": "2025-01-02"}, {"narrative": "x"},
        actor="complainant")
    engine.mark_accused(case_id, ["LIBRE,  Úmberto"])  # the unassigned officer, reordered and accented
    assert not engine.case_access(world.users["unassigned"], case_id).view
    assert engine.case_access(world.users["assigned"], case_id).view
    auth.login("unassigned")
    assert client.get(f"/casos/{case_id}").status_code == 404
    assert case_id not in client.get("/bandeja").get_data(as_text=True)
