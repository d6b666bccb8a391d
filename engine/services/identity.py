"""Sealed whistleblower identity and its release by the custodian (SECURITY.md property 3).

The identity is sealed under a key wrapped only to the custodian's X25519 public key; officers see
the `identity_code` (código cifrado) only. A release needs the custodian's passphrase and decision
on a request that records its legal basis; the identity key is then re-wrapped to the named
officer's public key, one `identity.release` audit entry is written and a content-free notice to the
complainant is queued (Directive 2019/1937 Art 16(3)) unless a justified exemption is given. With no
custodian configured, every release request is denied (unlike GlobaLeaks, which auto-approves).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from engine.errors import AccessDenied, ConfigurationError, Conflict, InvalidInput, NotFound
from engine.services import audit
from engine.services.content import UowFactory, case_key, crypto, open_case
from engine.services.context import Runtime

MIN_PASSPHRASE = 12
MAX_IDENTITY_BYTES = 64 * 1024
NO_CUSTODIAN = ("identity release denied: no custodian is configured "
                "(run 'probidad custodian init'); requests are never auto-approved")


def key_access(rt: Runtime) -> Any:
    """The lazy keyring and custodian-key access (engine.adapters.content_sealing.KeyAccess)."""
    found = rt.extras.get("content.keys")
    if found is None:
        raise ConfigurationError("the content store is not wired (engine.bootstrap_content)")
    return found


def init_custodian(rt: Runtime, uow_factory: UowFactory, passphrase: str, actor: str) -> str:
    """Create the custodian key pair in the identity keyring folder; return its fingerprint (audited)."""
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"the custodian passphrase needs at least {MIN_PASSPHRASE} characters")
    fp = key_access(rt).init_custodian(passphrase, fast=crypto(rt).config.argon2_fast)
    with uow_factory() as uow:
        audit.record(uow, rt.now(), actor, "custodian.init", None, {"fingerprint": fp})
        uow.commit()
    return fp


def _new_code(uow: Any) -> str:
    for _ in range(16):
        code = "CC-" + base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:10]
        if not uow.identity.code_exists(code):
            return code
    raise Conflict("could not allocate a unique identity code")


def _payload(identity: Any) -> bytes:
    if not isinstance(identity, Mapping) or not identity:
        raise InvalidInput("identity must be a non-empty mapping of fields")
    try:
        raw = json.dumps(dict(identity), ensure_ascii=False, sort_keys=True).encode("utf-8")
    except (TypeError, ValueError):
        raise InvalidInput("identity fields must be plain text, numbers or lists") from None
    if len(raw) > MAX_IDENTITY_BYTES:
        raise InvalidInput(f"identity larger than {MAX_IDENTITY_BYTES} bytes")
    return raw


def seal_identity(rt: Runtime, uow_factory: UowFactory, case_id: str, identity: Mapping[str, Any],
                  actor: str) -> str:
    """Seal a complainant's identity and contact data; return the case's identity code (audited)."""
    payload = _payload(identity)
    custodian = key_access(rt).custodian()
    if custodian is None:
        raise ConfigurationError("no custodian is configured: identities cannot be sealed "
                                 "(run 'probidad custodian init')")
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        if uow.identity.get(case.id) is not None:
            raise Conflict(f"case {case_id} already has a sealed identity")
        code = _new_code(uow)
        dek = case_key(rt, uow, case, create=True)
        ciphertext, wrapped = crypto(rt).seal_identity(dek, case.tenant_id, case.id, code, custodian.public_key,
                                                       payload)
        fp = _fingerprint(custodian.public_key)
        uow.identity.add(case_id=case.id, identity_code=code, custodian_fingerprint=fp, ciphertext=ciphertext,
                         custodian_wrapped=wrapped, created_at=rt.now())
        audit.record(uow, rt.now(), actor, "identity.seal", case.id, {"identity_code": code})
        uow.commit()
    return code


def _fingerprint(public_key: bytes) -> str:
    """The first 16 hex digits of SHA-256(public key), as keys.custodian.fingerprint."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def identity_code(rt: Runtime, uow_factory: UowFactory, case_id: str) -> str | None:
    """The código cifrado that stands for the complainant in every document, or None."""
    with uow_factory(readonly=True) as uow:
        found = uow.identity.get(open_case(uow, case_id).id)
    return found.identity_code if found else None


def _deny(rt: Runtime, uow_factory: UowFactory, actor: str, case_id: str | None, details: dict, message: str):
    with uow_factory() as uow:
        audit.record(uow, rt.now(), actor, "identity.release_denied", case_id, details)
        uow.commit()
    raise AccessDenied(message)


def request_identity_release(rt: Runtime, uow_factory: UowFactory, case_id: str, officer: str,
                             legal_basis: str, actor: str) -> str:
    """Ask the custodian to release a case's identity to a named officer; return the request id."""
    if not isinstance(legal_basis, str) or not legal_basis.strip() or len(legal_basis) > 500:
        raise InvalidInput("a release request needs a legal basis (at most 500 characters)")
    if key_access(rt).custodian() is None:
        _deny(rt, uow_factory, actor, case_id, {"officer": officer, "reason": "no_custodian"}, NO_CUSTODIAN)
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        if uow.identity.get(case.id) is None:
            raise NotFound(f"case {case_id} has no sealed identity")
        if uow.identity.officer_key(officer) is None:
            raise Conflict(f"officer {officer} has no key pair yet (it is created when they set a password)")
        request_id = uuid.uuid4().hex
        uow.identity.add_request(id=request_id, case_id=case.id, officer=officer, legal_basis=legal_basis.strip(),
                                 requested_by=actor, requested_at=rt.now(), state="pending")
        audit.record(uow, rt.now(), actor, "identity.release_request", case.id,
                     {"request_id": request_id, "officer": officer})
        uow.commit()
    return request_id


def decide_identity_release(rt: Runtime, uow_factory: UowFactory, request_id: str, custodian_passphrase: str,
                            approve: bool, actor: str, exempt_notice_reason: str | None = None) -> str:
    """The custodian's decision: re-wrap the identity key to the named officer, or deny. Returns the state."""
    custodian = key_access(rt).custodian()
    if custodian is None:
        _deny(rt, uow_factory, actor, None, {"request_id": request_id, "reason": "no_custodian"}, NO_CUSTODIAN)
    if exempt_notice_reason is not None and not str(exempt_notice_reason).strip():
        raise InvalidInput("a notice exemption needs a justification")
    with uow_factory() as uow:
        req = uow.identity.get_request(request_id)
        if req is None:
            raise NotFound(f"release request {request_id} not found")
        if req.state != "pending":
            raise Conflict(f"release request {request_id} was already {req.state}")
        private = crypto(rt).unlock(custodian.locked_private_key, custodian_passphrase, "custodian")
        if not approve:
            uow.identity.decide_request(request_id, "denied", actor, rt.now(), None)
            audit.record(uow, rt.now(), actor, "identity.release_denied", req.case_id, {"request_id": request_id})
            uow.commit()
            return "denied"
        _grant(rt, uow, req, private, actor, exempt_notice_reason)
        uow.commit()
    return "approved"


def _grant(rt: Runtime, uow: Any, req: Any, private: bytes, actor: str, exemption: str | None) -> None:
    case = open_case(uow, req.case_id)
    sealed = uow.identity.get(case.id)
    officer_key = uow.identity.officer_key(req.officer)
    if sealed is None or officer_key is None:
        raise Conflict("the identity or the officer's key pair no longer exists")
    if uow.identity.grant(case.id, req.officer) is not None:
        raise Conflict(f"officer {req.officer} already holds this identity")
    dek = case_key(rt, uow, case)
    code = sealed.identity_code
    identity_key = crypto(rt).identity_key(dek, case.tenant_id, case.id, code, private, "custodian",
                                           sealed.custodian_wrapped)
    blob = crypto(rt).wrap_identity_for(dek, case.tenant_id, case.id, code, identity_key,
                                        officer_key.public_key, req.officer)
    now = rt.now()
    uow.identity.add_grant(case_id=case.id, officer=req.officer, request_id=req.id, officer_wrapped=blob,
                           granted_at=now)
    uow.identity.decide_request(req.id, "approved", actor, now, exemption.strip() if exemption else None)
    if exemption is None:
        uow.identity.add_notice(case.id, "identity_release", req.id, now)
    audit.record(uow, now, actor, "identity.release", case.id,
                 {"request_id": req.id, "officer": req.officer, "custodian": sealed.custodian_fingerprint,
                  "notice": "exempt" if exemption else "queued"})


def read_identity(rt: Runtime, uow_factory: UowFactory, case_id: str, officer: str,
                  passphrase: str) -> dict[str, Any]:
    """The identity, for the officer it was released to, unlocked with their passphrase (audited)."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        grant = uow.identity.grant(case.id, officer)
        officer_key = uow.identity.officer_key(officer)
        sealed = uow.identity.get(case.id)
    if grant is None or officer_key is None or sealed is None:
        _deny(rt, uow_factory, officer, case_id, {"officer": officer, "reason": "no_release"},
              f"officer {officer} has no release of the identity of case {case_id}")
    private = crypto(rt).unlock(officer_key.locked_private_key, passphrase, "officer")
    with uow_factory() as uow:
        dek = case_key(rt, uow, case)
        c = crypto(rt)
        code = sealed.identity_code
        identity_key = c.identity_key(dek, case.tenant_id, case.id, code, private, f"officer:{officer}",
                                      grant.officer_wrapped)
        payload = c.open_identity(dek, case.tenant_id, case.id, code, identity_key, sealed.ciphertext)
        audit.record(uow, rt.now(), officer, "identity.read", case.id, {"officer": officer})
        uow.commit()
    return json.loads(payload)


def ensure_officer_keypair(rt: Runtime, uow_factory: UowFactory, user: str, passphrase: str,
                           replace: bool = False) -> str:
    """Give an officer an X25519 key pair locked by their passphrase; return its fingerprint.

    An existing pair is kept when the passphrase unlocks it. Otherwise (an admin reset) it is
    replaced only with `replace=True`, and the officer's identity grants are dropped: a password
    reset never grants data access (SECURITY.md property 4).
    """
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInput("a passphrase is required")
    with uow_factory() as uow:
        row = uow.identity.officer_key(user)
        if row is not None:
            try:
                crypto(rt).unlock(row.locked_private_key, passphrase, "officer")
                return row.fingerprint
            except AccessDenied:
                if not replace:
                    raise
        pair, fp = crypto(rt).new_officer_keypair(passphrase)
        uow.identity.put_officer_key(user, public_key=pair.public_key, locked_private_key=pair.locked_private_key,
                                     fingerprint=fp, created_at=rt.now())
        dropped = uow.identity.drop_grants_of(user) if row is not None else 0
        action = "officer.keypair_replace" if row is not None else "officer.keypair"
        audit.record(uow, rt.now(), user, action, None, {"user": user, "fingerprint": fp, "dropped_grants": dropped})
        uow.commit()
    return fp


def complainant_notices(rt: Runtime, uow_factory: UowFactory, case_id: str) -> list[dict[str, Any]]:
    """Notices queued for a case's complainant (content-free: kind, reference, dates)."""
    with uow_factory(readonly=True) as uow:
        rows = uow.identity.notices(case_id)
    return [{"id": r.id, "kind": r.kind, "reference": r.reference, "created_at": r.created_at,
             "sent_at": r.sent_at} for r in rows]
