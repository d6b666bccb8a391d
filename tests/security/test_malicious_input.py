"""A malicious-input corpus against the public intake, the follow-up, the officer pages and the API
(SECURITY.md property 9 and test 11; issue 11 item 5).

Every input gets either a clear rejection (4xx with a message) with nothing stored half-way (the
row count of every table is unchanged, except web sessions), or is stored sealed and rendered
inert: escaped HTML, no template evaluation, downloads as application/octet-stream attachments
with nosniff and a sandboxing CSP. Archives are stored as opaque bytes, never expanded.
"""

from __future__ import annotations

import io
import re
import sqlite3
import time
import zipfile

import pytest

from tests.security.conftest import make_app
from tests.web.conftest import AuthActions, csrf_token

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "{{7*7191}} {% for x in range(3) %}{{x}}{% endfor %} ${7*7191} #{7*7191}",
    "{{ config.items() }} {{ ''.__class__.__mro__[1].__subclasses__() }}",
    "'; DROP TABLE cases; --",
    "\" OR 1=1 --",
    "1; SELECT * FROM users WHERE 't'='t",
    "Texto con \u202eanulación RTL\u202c y \u2066aislado\u2069",
    "Ünïcödé ñandú — 漢字 🙂",
    "%s%s%s%n %x",
    "../../../../etc/passwd",
    "\\\\server\\share\\x",
    "<!--#exec cmd=\"ls\" -->",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
]
RAW_MARKUP = ("<script>alert", "<img src=x", "<svg/onload", "href=\"javascript:", "<!--#exec")
SSTI_RESULT = "50337"  # 7 * 7191


def _counts(world) -> dict[str, int]:
    db = world.engine.settings.database.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
                if t not in ("web_sessions",)}


def _intake(client, **fields):
    token = csrf_token(client, "/denuncia")
    data = {"csrf_token": token, "entity": "default", "fact_date": "2025-01-02", "reason_categories": ["bribery"],
            "narrative": "Hechos", "identify": "no"}
    data.update(fields)
    return client.post("/denuncia", data=data, content_type="multipart/form-data")


def _receipt(response) -> str:
    return re.search(r'id="receipt">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(1)


def _assert_inert(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, raw
    assert SSTI_RESULT not in html
    assert "__subclasses__" not in html or "&#39;" in html or "&#x27;" in html or "__class__" in html


def test_markup_ssti_sql_and_rtl_are_stored_and_rendered_inert(app, world):
    client = app.test_client()
    text = "\n".join(PAYLOADS)
    response = _intake(client, narrative=text, accused_name=PAYLOADS[0], accused_role=PAYLOADS[5], evidence=text)
    assert response.status_code == 200
    _assert_inert(response.get_data(as_text=True))
    case_id = world.engine.check_receipt(_receipt(response))
    assert world.engine.content(case_id, actor="test")["narrative"] == text  # stored exactly, sealed
    complainant = app.test_client()
    token = csrf_token(complainant, "/seguimiento")
    complainant.post("/seguimiento", data={"receipt": _receipt(response), "csrf_token": token})
    token = csrf_token(complainant, "/seguimiento/caso")
    for payload in PAYLOADS:
        complainant.post("/seguimiento/mensaje", data={"text": payload, "csrf_token": token})
    _assert_inert(complainant.get("/seguimiento/caso").get_data(as_text=True))

    officer = app.test_client()
    AuthActions(officer, world).login("chief")
    page = officer.get(f"/casos/{case_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert" in page  # it is shown, escaped
    _assert_inert(page)
    for path in ("/bandeja", "/tablero/", "/tablero/indicadores"):
        _assert_inert(officer.get(path).get_data(as_text=True))
    with sqlite3.connect(world.engine.settings.database.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] >= 3  # the SQL did nothing


REJECTED = [
    ("oversized narrative", {"narrative": "x" * 20_001}, None),
    ("oversized accused", {"accused_name": "x" * 4_001}, None),
    ("empty narrative", {"narrative": ""}, None),
    ("bad date", {"fact_date": "2025-13-45"}, None),
    ("future date overflow", {"fact_date": "99999-01-01"}, None),
    ("unknown category", {"reason_categories": ["<script>"]}, None),
    ("three categories", {"reason_categories": ["bribery", "nepotism", "other"]}, None),
    ("unknown entity", {"entity": "../otra"}, None),
    ("identified without identity", {"identify": "yes", "identity": "   "}, None),
    ("too many files", {}, 6),
]


def test_rejected_submissions_store_nothing(app, world):
    client = app.test_client()
    for name, fields, files in REJECTED:
        before = _counts(world)
        extra = dict(fields)
        if files:
            extra["attachments"] = [(io.BytesIO(b"x"), f"f{i}.txt") for i in range(files)]
        response = _intake(client, **extra)
        assert response.status_code == 422, name
        assert 'class="error"' in response.get_data(as_text=True)  # a clear message next to the field
        assert _counts(world) == before, name


def test_nul_bytes_are_refused_or_neutralised(app, world):
    client = app.test_client()
    before = _counts(world)
    response = _intake(client, narrative="antes\x00después")
    if response.status_code == 422:
        assert _counts(world) == before
    else:
        assert response.status_code == 200
        case_id = world.engine.check_receipt(_receipt(response))
        assert "\x00" not in response.get_data(as_text=True)
        assert world.engine.content(case_id, actor="test")["narrative"] in ("antes\x00después", "antesdespués")


def test_request_over_the_size_limit_is_refused_before_anything_is_stored(world):
    app = make_app(world, MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()
    token = csrf_token(client, "/denuncia")
    before = _counts(world)
    response = client.post("/denuncia", data={"csrf_token": token, "entity": "default", "narrative": "x",
                                              "attachments": (io.BytesIO(b"\0" * 200_000), "big.bin")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert _counts(world) == before


def _followup(app, world):
    client = app.test_client()
    AuthActions(client, world).receipt("a")
    return client, csrf_token(client, "/seguimiento/caso")


HOSTILE_NAMES = ["a\x00b.txt", "evil\u202etxt.exe", "tab\tname.txt", ".", "..", "/", "x" * 300 + ".txt", ""]


def test_hostile_file_names_are_refused_without_storing(app, world):
    client, token = _followup(app, world)
    for filename in HOSTILE_NAMES:
        before = _counts(world)
        response = client.post("/seguimiento/adjunto", data={"csrf_token": token,
                                                             "file": (io.BytesIO(b"x"), filename)},
                               content_type="multipart/form-data")
        assert response.status_code == 302
        assert _counts(world) == before, repr(filename)
        if filename:
            flashed = client.get("/seguimiento/caso").get_data(as_text=True)
            assert "no pudo adjuntarse" in flashed or "Elija un archivo" in flashed, repr(filename)


TRAVERSAL = ["../../etc/passwd", "..\\..\\windows\\system32\\evil.dll", "/etc/shadow", "C:\\Users\\x\\informe.pdf",
             "....//....//x.txt", "%2e%2e%2fx.txt"]


def test_path_traversal_names_keep_only_a_base_name_and_touch_no_disk(app, world, tmp_path):
    files_before = {p for p in tmp_path.rglob("*")}
    client, token = _followup(app, world)
    for filename in TRAVERSAL:
        client.post("/seguimiento/adjunto", data={"csrf_token": token, "file": (io.BytesIO(b"contenido"), filename)},
                    content_type="multipart/form-data")
    created = {p for p in tmp_path.rglob("*")} - files_before
    assert all(p.name.endswith(("-wal", "-shm", "-journal")) for p in created), created
    infos = [a for a in world.engine.attachments(world.cases["a"], actor="test") if a.id != world.cases["a_attachment"]]
    assert len(infos) == len(TRAVERSAL)
    officer = app.test_client()
    AuthActions(officer, world).login("assigned")
    for info in infos:
        assert "/" not in info.filename and "\\" not in info.filename and info.filename not in ("..", ".")
        download = officer.get(f"/casos/{world.cases['a']}/adjuntos/{info.id}")
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "/" not in disposition and "\\" not in disposition


ENGINE_NAMES = ["a\nSet-Cookie: x=y.txt", "a\r\nb.txt", "a\x00.txt", "\u202egpj.exe", "a\u2066b.txt", "x" * 256, "../",
                "..\\", 42, None]


def test_control_characters_in_names_are_refused_by_the_engine(world):
    from engine.errors import InvalidInput

    before = _counts(world)
    for filename in ENGINE_NAMES:
        with pytest.raises(InvalidInput):
            world.engine.add_attachment(world.cases["a"], filename, b"x", "text/plain", "complainant")
    for ctype in ("text/html; charset=utf-8\r\nX: y", "", "../../x", "a" * 200 + "/b", None):
        with pytest.raises(InvalidInput):
            world.engine.add_attachment(world.cases["a"], "ok.txt", b"x", ctype, "complainant")
    assert _counts(world) == before


SPOOFED = [
    ("photo.png", "image/png", b"<html><script>alert(1)</script></html>"),
    ("report.pdf", "application/pdf", b"%PDF-1.4\n<html><body onload=alert(1)>polyglot</body></html>\n%%EOF"),
    ("gifar.gif", "image/gif", b"GIF89a/*<script>alert(1)</script>*/" + b"PK\x03\x04"),
    ("page.html", "text/html", b"<script>alert(document.cookie)</script>"),
    ("image.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("run.exe", "application/x-msdownload", b"MZ\x90\x00" + b"\0" * 100),
]


def test_spoofed_and_polyglot_files_download_inert(app, world):
    officer = app.test_client()
    AuthActions(officer, world).login("assigned")
    for filename, ctype, body in SPOOFED:
        att = world.engine.add_attachment(world.cases["a"], filename, body, ctype, "complainant")
        response = officer.get(f"/casos/{world.cases['a']}/adjuntos/{att}")
        assert response.data == body
        assert response.headers["Content-Type"] == "application/octet-stream", filename
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


def _zip_bomb(expanded: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(4):
            archive.writestr(f"layer{i}.bin", b"\0" * (expanded // 4))
    return buffer.getvalue()


def test_zip_bomb_is_stored_opaque_and_never_expanded(app, world):
    bomb = _zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 400_000  # ~200 MB of zeros in a few hundred KB
    client, token = _followup(app, world)
    started = time.perf_counter()
    response = client.post("/seguimiento/adjunto", data={"csrf_token": token, "file": (io.BytesIO(bomb), "x.zip")},
                           content_type="multipart/form-data")
    elapsed = time.perf_counter() - started
    assert response.status_code == 302 and elapsed < 10
    infos = [a for a in world.engine.attachments(world.cases["a"]) if a.id != world.cases["a_attachment"]]
    assert [a.size for a in infos] == [len(bomb)]  # stored as the bytes received, not expanded
    assert world.engine.attachment(world.cases["a"], infos[0].id, actor="test")[2] == bomb


def test_attachment_size_and_count_limits_hold(app, world):
    config = world.engine.rt.extras["content.crypto"].config
    config.max_attachment_bytes = 64 * 1024
    client, token = _followup(app, world)
    before = _counts(world)
    client.post("/seguimiento/adjunto", data={"csrf_token": token, "file": (io.BytesIO(b"\0" * (64 * 1024 + 1)),
                                                                            "big.bin")},
                content_type="multipart/form-data")
    assert _counts(world) == before
    limit = config.max_attachments
    existing = len(world.engine.attachments(world.cases["a"]))
    for i in range(limit - existing):
        world.engine.add_attachment(world.cases["a"], f"f{i}.txt", b"x", "text/plain", "complainant")
    before = _counts(world)
    client.post("/seguimiento/adjunto", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "one-more.txt")},
                content_type="multipart/form-data")
    assert _counts(world) == before


API_BODIES = [
    {"narrative": "x"},  # missing required fields
    {"channel": "web", "fact_date": "2025-01-02", "reason_categories": ["bribery"], "narrative": "x" * 20_001},
    {"channel": "<script>", "fact_date": "2025-01-02", "reason_categories": ["bribery"], "narrative": "x"},
    {"channel": "web", "fact_date": {"$gt": ""}, "reason_categories": ["bribery"], "narrative": "x"},
    {"channel": "web", "fact_date": "2025-01-02", "reason_categories": "bribery' OR 1=1", "narrative": "x"},
    {"channel": "web", "fact_date": "2025-01-02", "reason_categories": ["bribery"], "narrative": ["a", {"b": 1}]},
    {"__proto__": {"admin": True}, "constructor": {"prototype": {}}},
    [1, 2, 3],
    "just a string",
    {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}},
]


def test_api_intake_rejects_malformed_json_without_storing(app, world):
    _id, token = world.engine.create_api_token("default", "mesa_de_partes", "sistema")
    client = app.test_client()
    for body in API_BODIES:
        before = _counts(world)
        response = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (400, 403, 422), (body, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert "Traceback" not in response.get_data(as_text=True)
        after = _counts(world)
        after["audit_log"] = before["audit_log"]  # a refused request may be audited; nothing else may change
        assert after == before, body
