# ruff: noqa
# Test cases for .semgrep/probidad.yml, run by `make semgrep` (`semgrep --test`): the line after a
# "ruleid" annotation must be reported by the rules it names, the line after an "ok" one must not.
# Deliberately bad code; never imported.
import hashlib
import hmac
import importlib
import logging
# ruleid: probidad-insecure-deserialization
import marshal
import os
import secrets
import smtplib
import ssl
import subprocess

import markupsafe
import requests
import yaml
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, render_template_string, request
from lxml import etree
from sqlalchemy import literal_column, select, text
from xml.dom import minidom

log = logging.getLogger(__name__)
app = Flask(__name__)


def dynamic_code(source, name, table):
    # ruleid: probidad-dynamic-code
    eval(source)
    # ruleid: probidad-dynamic-code
    exec(source, {})
    # ruleid: probidad-dynamic-code
    code = compile(source, "<x>", "exec")
    # ruleid: probidad-dynamic-code
    importlib.import_module(name)
    # ruleid: probidad-dynamic-code
    importlib.import_module(table[name])
    # ok: probidad-dynamic-code
    importlib.import_module("engine.errors")
    # ok: probidad-dynamic-code
    importlib.import_module(f"workflows.{name}")
    return code


def deserialization(blob, path):
    # ruleid: probidad-insecure-deserialization
    import pickle

    # ruleid: probidad-insecure-deserialization
    pickle.loads(blob)
    # ruleid: probidad-insecure-deserialization
    marshal.loads(blob)
    # ok: probidad-insecure-deserialization
    return blob.decode("utf-8")


def yaml_loading(doc):
    # ruleid: probidad-yaml-unsafe-load
    yaml.load(doc)
    # ruleid: probidad-yaml-unsafe-load
    yaml.load(doc, Loader=yaml.Loader)
    # ruleid: probidad-yaml-unsafe-load
    yaml.unsafe_load(doc)
    # ok: probidad-yaml-unsafe-load
    yaml.load(doc, Loader=yaml.SafeLoader)
    # ok: probidad-yaml-unsafe-load
    return yaml.safe_load(doc)


def shells(cmd):
    # ruleid: probidad-subprocess-shell
    subprocess.run(cmd, shell=True, check=True)
    # ruleid: probidad-subprocess-shell
    os.system(cmd)
    # ok: probidad-subprocess-shell
    subprocess.run(["gunicorn", cmd], check=True)


def xml_parsing(data):
    # ruleid: probidad-xml-parse-outside-xml-safety
    etree.fromstring(data)
    # ruleid: probidad-xml-parse-outside-xml-safety
    minidom.parseString(data)
    import xml.etree.ElementTree as ET

    # ruleid: probidad-xml-parse-outside-xml-safety
    ET.fromstring(data)
    # ok: probidad-xml-parse-outside-xml-safety
    from xml.sax.saxutils import escape
    return escape(data)


def lxml_parsers():
    # ruleid: probidad-lxml-parser-not-hardened, probidad-xml-parse-outside-xml-safety
    weak = etree.XMLParser(remove_comments=True)
    # ruleid: probidad-lxml-parser-not-hardened, probidad-xml-parse-outside-xml-safety
    half = etree.XMLParser(resolve_entities=False, load_dtd=False)
    # ok: probidad-lxml-parser-not-hardened
    # ruleid: probidad-xml-parse-outside-xml-safety
    strong = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return weak, half, strong


def templates(user_text):
    # ruleid: probidad-render-template-string
    render_template_string("<p>" + user_text + "</p>")
    # ruleid: probidad-render-template-string
    app.jinja_env.from_string(user_text)
    # ruleid: probidad-markup-non-constant
    markupsafe.Markup(user_text)
    # ruleid: probidad-markup-non-constant
    markupsafe.Markup(f"<b>{user_text}</b>")
    # ok: probidad-markup-non-constant
    return markupsafe.Markup("<b>{}</b>").format(user_text)


def autoescape():
    import jinja2

    # ruleid: probidad-autoescape-off
    jinja2.Environment(autoescape=False)
    # ok: probidad-autoescape-off
    jinja2.Environment(autoescape=True)


def debug():
    # ruleid: probidad-flask-debug
    app.run(host="127.0.0.1", debug=True)
    # ruleid: probidad-flask-debug
    app.config["DEBUG"] = True
    # ok: probidad-flask-debug
    app.run(host="127.0.0.1", debug=os.environ.get("X") == "1")


def tls(url, host):
    # ruleid: probidad-tls-verification-disabled
    requests.get(url, verify=False, timeout=5)
    # ruleid: probidad-tls-verification-disabled
    ctx = ssl._create_unverified_context()
    # ruleid: probidad-tls-verification-disabled
    ctx.verify_mode = ssl.CERT_NONE
    client = smtplib.SMTP(host, 587)
    # ruleid: probidad-tls-verification-disabled
    client.starttls()
    # ok: probidad-tls-verification-disabled
    client.starttls(context=ssl.create_default_context())
    # ruleid: probidad-tls-verification-disabled
    smtplib.SMTP_SSL(host, 465)
    # ok: probidad-tls-verification-disabled
    smtplib.SMTP_SSL(host, 465, context=ssl.create_default_context())
    # ok: probidad-tls-verification-disabled
    requests.get(url, timeout=5)


def sql(conn, role, table, case_id):
    # ruleid: probidad-sql-built-from-strings
    conn.execute(text(f"SELECT * FROM cases WHERE id = {case_id}"))
    # ruleid: probidad-sql-built-from-strings
    conn.exec_driver_sql("DELETE FROM %s" % table)
    statements = [f"GRANT SELECT ON audit_log TO {role}"]
    for statement in statements:
        # ruleid: probidad-sql-built-from-strings
        conn.execute(text(statement))
    query = "SELECT * FROM cases WHERE id = " + case_id
    cursor = conn.cursor()
    # ruleid: probidad-sql-built-from-strings
    cursor.execute(query)
    # ok: probidad-sql-built-from-strings
    conn.execute(text("SELECT * FROM cases WHERE id = :id").bindparams(id=case_id))
    # ok: probidad-sql-built-from-strings
    conn.execute(select(table).where(table.c.label == f"case-{case_id}"))
    # ruleid: probidad-sql-built-from-strings
    conn.execute(select(literal_column(f"label || '{case_id}'")))
    # ok: probidad-sql-built-from-strings
    cursor.execute("SELECT * FROM cases WHERE id = ?", (case_id,))


def randomness():
    # ruleid: probidad-random-for-secrets
    import random

    # ruleid: probidad-random-for-secrets
    receipt = "".join(random.choice("ABCDEFGH") for _ in range(16))
    # ok: probidad-random-for-secrets
    token = secrets.token_urlsafe(32)
    return receipt, token


def hashes(data, key):
    # ruleid: probidad-weak-hash
    hashlib.md5(data)
    # ruleid: probidad-weak-hash
    hashlib.sha1(data).hexdigest()
    # ruleid: probidad-weak-hash
    hashlib.new("md5", data)
    # ruleid: probidad-weak-hash
    hmac.new(key, data, hashlib.sha1)
    # ok: probidad-weak-hash
    hashlib.md5(data, usedforsecurity=False)
    # ok: probidad-weak-hash
    hashlib.sha256(data)


def compare(row, token, code, expected_mac, stored, user):
    # ruleid: probidad-secret-compared-with-eq
    if row.token_hash == token:
        return True
    # ruleid: probidad-secret-compared-with-eq
    if code != expected_mac:
        return False
    # ruleid: probidad-secret-compared-with-eq
    if stored.password == user.password:
        return True
    # ok: probidad-secret-compared-with-eq
    if hmac.compare_digest(row.token_hash, token):
        return True
    # ok: probidad-secret-compared-with-eq
    if row.token_hash is None or token == "":
        return False
    # ok: probidad-secret-compared-with-eq
    if len(token) != 43:
        return False
    # ok: probidad-secret-compared-with-eq
    return select(row).where(row.c.token_hash == token)


def nonces(key, plaintext, aad):
    cipher = AESGCM(key)
    # ruleid: probidad-aead-constant-nonce, probidad-aead-nonce-not-fresh
    cipher.encrypt(b"\x00" * 12, plaintext, aad)
    # ruleid: probidad-aead-constant-nonce, probidad-aead-nonce-not-fresh
    cipher.encrypt(bytes(12), plaintext, aad)
    fixed = b"123456789012"
    # ruleid: probidad-aead-constant-nonce, probidad-aead-nonce-not-fresh
    cipher.encrypt(fixed, plaintext, aad)
    # ok: probidad-aead-constant-nonce, probidad-aead-nonce-not-fresh
    return cipher.encrypt(os.urandom(12), plaintext, aad)


def nonce_from_counter(key, counter, plaintext):
    nonce = counter.to_bytes(12, "big")
    # ruleid: probidad-aead-nonce-not-fresh
    return AESGCM(key).encrypt(nonce, plaintext, None)


def nonce_fresh(key, plaintext, aad):
    nonce = os.urandom(12)
    # ok: probidad-aead-nonce-not-fresh, probidad-aead-nonce-reused
    body = AESGCM(key).encrypt(nonce, plaintext, aad)
    return nonce + body


def nonce_reused(key, first, second):
    cipher = AESGCM(key)
    nonce = os.urandom(12)
    # ruleid: probidad-aead-nonce-reused
    one = cipher.encrypt(nonce, first, None)
    two = cipher.encrypt(nonce, second, None)
    nonce = os.urandom(12)
    # ok: probidad-aead-nonce-reused
    three = cipher.encrypt(nonce, second, None)
    return one, two, three


def nonce_reused_in_a_loop(key, chunks):
    cipher = AESGCM(key)
    nonce = os.urandom(12)
    for chunk in chunks:
        # ruleid: probidad-aead-nonce-reused
        yield cipher.encrypt(nonce, chunk, None)


def nonce_fresh_in_a_loop(key, chunks):
    cipher = AESGCM(key)
    for chunk in chunks:
        nonce = os.urandom(12)
        # ok: probidad-aead-nonce-reused
        yield nonce + cipher.encrypt(nonce, chunk, None)


def logging_content(case, form, exc, user):
    # ruleid: probidad-log-carries-content
    log.info("intake: %s", request.form)
    # ruleid: probidad-log-carries-content
    log.warning("client %s refused", request.remote_addr)
    # ruleid: probidad-log-carries-content
    log.debug("case %s: %s", case.id, case.narrative)
    # ruleid: probidad-log-carries-content
    logging.error("bad field %s", form["accused_name"])
    # ruleid: probidad-log-carries-content
    print("password was", user.password)
    # ruleid: probidad-log-carries-content
    log.info(f"receipt {case.receipt}")
    # ok: probidad-log-carries-content
    log.warning("case %s refused: %s", case.id, type(exc).__name__)
    # ok: probidad-log-carries-content
    log.info("narrative has %d characters", len(case.narrative))
