"""The case file PDF: rendered with pdftoppm, identity redacted unless released, manifest hashes verify."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from engine import bootstrap
from engine.testing import make_engine
from tests.workflows.conftest import lima

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                                reason="poppler-utils (pdftotext, pdftoppm) not installed")

CUSTODIAN = "custodian passphrase 0123"
OFFICER = "officer passphrase 4567"
IDENTITY = {"name": "Canaria Identidad Qwerty", "document": "DNI 40404040"}
NARRATIVE = "Relato visible en el expediente ZETA"
FILE = b"%PDF-like evidence bytes \x00\x01\x02"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    engine, clock = make_engine(tmp_path_factory.mktemp("pdf"), start=lima(2025, 3, 3))
    bootstrap.create_dev_keys(engine.settings)
    engine.rt.extras["content.crypto"].config.argon2_fast = True
    engine.init_custodian(CUSTODIAN, actor="admin")
    data = {"channel": "web", "anonymous": False, "reason_categories": ["bribery"], "fact_date": "2025-01-02",
            "protection_requested": False}
    case_id = engine.start_case_with_content("denuncia", data, {"narrative": NARRATIVE}, actor="complainant")
    engine.seal_identity(case_id, IDENTITY, actor="complainant")
    attachment = engine.add_attachment(case_id, "prueba.bin", FILE, "application/octet-stream", "complainant")
    return engine, case_id, attachment


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_pdf_renders_redacts_identity_and_lists_verifiable_hashes(world, tmp_path):
    engine, case_id, attachment = world
    before = len([e for e in engine.audit_for_case(case_id) if e.action == "export.case_file"])
    result = engine.case_file(case_id, "oficial-1")
    assert result.pdf.startswith(b"%PDF") and not result.identity_released
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(_write(result.pdf, tmp_path)),
                    str(tmp_path / "page")], check=True)
    png = tmp_path / "page-1.png"
    assert png.exists() and png.read_bytes().startswith(b"\x89PNG")
    text = _text(result.pdf, tmp_path)
    assert NARRATIVE.split(maxsplit=1)[0] in text and "RESERVADA" in text
    for secret in ("Canaria", "Qwerty", "40404040"):
        assert secret not in text
        assert secret.encode() not in result.pdf
    # The manifest: attachment hash = sha256 of the bytes the complainant uploaded; section hashes
    # = sha256 of each section's canonical JSON; every digest is printed in the PDF.
    manifest = dict(result.manifest)
    assert manifest[f"attachment:{attachment}"] == hashlib.sha256(FILE).hexdigest()
    for name, canonical in result.sections.items():
        assert manifest[f"section:{name}"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    flat = text.replace("\n", "").replace(" ", "")
    for digest in manifest.values():
        assert digest in flat
    entries = [e for e in engine.audit_for_case(case_id) if e.action == "export.case_file"]
    assert len(entries) == before + 1
    assert entries[-1].details["sha256"] == hashlib.sha256(result.pdf).hexdigest()


def test_identity_appears_only_after_the_custodian_released_it(world, tmp_path):
    engine, case_id, _attachment = world
    engine.ensure_officer_keypair("oficial-2", OFFICER)
    assert "Canaria" not in _text(engine.case_file(case_id, "oficial-2", passphrase=OFFICER).pdf, tmp_path)
    request = engine.request_identity_release(case_id, "oficial-2", "Oficio 123-2025 (fiscalía)", actor="oficial-2")
    engine.decide_identity_release(request, CUSTODIAN, True, actor="custodio")
    released = engine.case_file(case_id, "oficial-2", passphrase=OFFICER)
    assert released.identity_released
    assert "Canaria Identidad Qwerty" in _text(released.pdf, tmp_path)
    other = engine.case_file(case_id, "oficial-1", passphrase=OFFICER)  # released to someone else
    assert not other.identity_released and "Canaria" not in _text(other.pdf, tmp_path)


def _write(pdf: bytes, tmp_path):
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    return path
