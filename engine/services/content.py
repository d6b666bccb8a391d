"""The encrypted content store: narrative fields, comments, officer notes and attachments.

Content lives outside workflow state, sealed under the case's *content* key, so the timer worker
advances workflows without ever holding content keys (ARCHITECTURE §2.2). Every access appends one
audit entry carrying ids only (SECURITY.md properties 1, 2 and 8). The crypto collaborator is
`rt.extras["content.crypto"]` (engine.adapters.content_sealing.ContentCrypto), wired by
engine.bootstrap_content and opening its keyring on first use.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from engine.errors import ConfigurationError, InvalidInput, NotFound
from engine.ports import UnitOfWork
from engine.services import audit, cases
from engine.services.commands import StartCase
from engine.services.context import Runtime

FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CONTENT_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,60}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
AUTHOR_KINDS = frozenset({"officer", "complainant", "system"})
UowFactory = Callable[..., UnitOfWork]


@dataclass(frozen=True)
class Comment:
    """A decrypted comment or officer note."""

    id: str
    author: str
    author_kind: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class AttachmentInfo:
    """Attachment metadata; `filename` and `content_type` are None unless decrypted for a caller."""

    id: str
    size: int
    created_at: datetime
    created_by: str
    filename: str | None = None
    content_type: str | None = None


def crypto(rt: Runtime) -> Any:
    """The content crypto collaborator."""
    found = rt.extras.get("content.crypto")
    if found is None:
        raise ConfigurationError("the content store is not wired (engine.bootstrap_content)")
    return found


def config(rt: Runtime) -> Any:
    """Limits of the content feature."""
    return crypto(rt).config


def open_case(uow: UnitOfWork, case_id: str) -> Any:
    """A live case (shredded cases are gone)."""
    case = uow.cases.get(case_id)
    if case is None or case.status == "shredded":
        raise NotFound(f"case {case_id} not found")
    return case


def case_key(rt: Runtime, uow: UnitOfWork, case: Any, *, create: bool = False) -> bytes | None:
    """The case's content key: unwrapped, created on first write, or None when it has none."""
    row = uow.content.get_key(case.id)
    if row is not None:
        return crypto(rt).case_key(case.tenant_id, case.id, row.wrapped_key, row.kek_version)
    if not create:
        return None
    dek, wrapped, version = crypto(rt).new_case_key(case.tenant_id, case.id)
    uow.content.put_key(case.id, case.tenant_id, wrapped, version)
    return dek


def _check_text(rt: Runtime, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text")
    if len(value) > config(rt).max_text_chars:
        raise InvalidInput(f"{what} is longer than {config(rt).max_text_chars} characters")
    return value


def store_fields(rt: Runtime, uow: UnitOfWork, case: Any, content: Mapping[str, Any], actor: str) -> list[str]:
    """Seal content fields of a case in the caller's unit of work; return the field names."""
    bad = sorted(str(k)[:64] for k in content if not isinstance(k, str) or not FIELD_RE.match(k))
    if bad:
        raise InvalidInput(f"invalid content field names: {', '.join(bad)}")
    values = {name: _check_text(rt, value, f"content field '{name}'") for name, value in content.items()}
    if not values:
        return []
    dek = case_key(rt, uow, case, create=True)
    now = rt.now()
    for name, text in values.items():
        blob = crypto(rt).seal_object(dek, case.tenant_id, case.id, "field", name, "text", text.encode("utf-8"))
        uow.content.put_field(case.id, name, blob, now, actor)
    return sorted(values)


def put_content(rt: Runtime, uow_factory: UowFactory, case_id: str, field: str, text: str, actor: str) -> None:
    """Seal one content field (narrative, officer note...) of a case; audited."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        names = store_fields(rt, uow, case, {field: text}, actor)
        audit.record(uow, rt.now(), actor, "content.write", case.id, {"fields": names})
        uow.commit()


def read_content(rt: Runtime, uow_factory: UowFactory, case_id: str, actor: str) -> dict[str, str]:
    """Every content field of a case, decrypted; the access is audited."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        rows = uow.content.fields(case.id)
        result = {}
        if rows:
            dek = case_key(rt, uow, case)
            for row in rows:
                plain = crypto(rt).open_object(dek, case.tenant_id, case.id, "field", row.field, "text",
                                               row.ciphertext)
                result[row.field] = plain.decode("utf-8")
        audit.record(uow, rt.now(), actor, "content.read", case.id, {"fields": sorted(result)})
        uow.commit()
    return result


def add_comment(rt: Runtime, uow_factory: UowFactory, case_id: str, text: str, actor: str,
                author_kind: str) -> str:
    """Seal a comment or officer note; return its id (audited)."""
    if author_kind not in AUTHOR_KINDS:
        raise InvalidInput(f"author_kind must be one of {', '.join(sorted(AUTHOR_KINDS))}")
    text = _check_text(rt, text, "comment")
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        dek = case_key(rt, uow, case, create=True)
        comment_id = uuid.uuid4().hex
        blob = crypto(rt).seal_object(dek, case.tenant_id, case.id, "comment", comment_id, "text",
                                      text.encode("utf-8"))
        uow.content.add_comment(id=comment_id, case_id=case.id, author=actor, author_kind=author_kind,
                                created_at=rt.now(), ciphertext=blob)
        audit.record(uow, rt.now(), actor, "comment.add", case.id, {"comment_id": comment_id})
        uow.commit()
    return comment_id


def read_comments(rt: Runtime, uow_factory: UowFactory, case_id: str, actor: str) -> list[Comment]:
    """A case's comments, decrypted, oldest first (audited)."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        rows = uow.content.comments(case.id)
        result = []
        if rows:
            dek = case_key(rt, uow, case)
            for row in rows:
                plain = crypto(rt).open_object(dek, case.tenant_id, case.id, "comment", row.id, "text",
                                               row.ciphertext)
                result.append(Comment(row.id, row.author, row.author_kind, row.created_at, plain.decode("utf-8")))
        audit.record(uow, rt.now(), actor, "comment.read", case.id, {"count": len(result)})
        uow.commit()
    return result


def _clean_filename(filename: Any) -> str:
    if not isinstance(filename, str):
        raise InvalidInput("attachment file name must be text")
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."} or len(name) > 255 or _CONTROL.search(name):
        raise InvalidInput("attachment file name is empty, too long or has control characters")
    return name


def _check_attachment(rt: Runtime, filename: Any, data: Any, content_type: Any) -> tuple[str, str]:
    name = _clean_filename(filename)
    if not isinstance(content_type, str) or not CONTENT_TYPE_RE.match(content_type.lower()):
        raise InvalidInput("attachment content type must look like 'type/subtype'")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("attachment data must be bytes")
    if len(data) > config(rt).max_attachment_bytes:
        raise InvalidInput(f"attachment larger than {config(rt).max_attachment_bytes} bytes")
    return name, content_type.lower()


def add_attachment(rt: Runtime, uow_factory: UowFactory, case_id: str, filename: str, data: bytes,
                   content_type: str, actor: str) -> str:
    """Seal an attachment (name and type too) in memory, never on disk; return its id (audited)."""
    name, ctype = _check_attachment(rt, filename, data, content_type)
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        count, _ = uow.content.attachment_stats(case.id)
        if count >= config(rt).max_attachments:
            raise InvalidInput(f"a case holds at most {config(rt).max_attachments} attachments")
        dek = case_key(rt, uow, case, create=True)
        att_id = uuid.uuid4().hex
        wrapped, body = crypto(rt).seal_file(dek, case.tenant_id, case.id, att_id, bytes(data))
        meta = json.dumps({"name": name, "type": ctype}).encode("utf-8")
        meta_blob = crypto(rt).seal_object(dek, case.tenant_id, case.id, "attachment", att_id, "meta", meta)
        uow.content.add_attachment(id=att_id, case_id=case.id, size=len(data), created_at=rt.now(),
                                   created_by=actor, meta_ciphertext=meta_blob, wrapped_file_key=wrapped,
                                   body=body)
        audit.record(uow, rt.now(), actor, "attachment.add", case.id, {"attachment_id": att_id, "size": len(data)})
        uow.commit()
    return att_id


def _meta(rt: Runtime, dek: bytes, case: Any, row: Any) -> dict[str, str]:
    plain = crypto(rt).open_object(dek, case.tenant_id, case.id, "attachment", row.id, "meta", row.meta_ciphertext)
    return json.loads(plain)


def read_attachment(rt: Runtime, uow_factory: UowFactory, case_id: str, attachment_id: str,
                    actor: str) -> tuple[str, str, bytes]:
    """(filename, content_type, bytes) of one attachment, decrypted in memory (audited)."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        row = uow.content.attachment(case.id, attachment_id)
        if row is None:
            raise NotFound(f"attachment {attachment_id} not found in case {case_id}")
        dek = case_key(rt, uow, case)
        meta = _meta(rt, dek, case, row)
        data = crypto(rt).open_file(dek, case.tenant_id, case.id, row.id, row.wrapped_file_key, row.body)
        audit.record(uow, rt.now(), actor, "attachment.read", case.id, {"attachment_id": row.id})
        uow.commit()
    return meta["name"], meta["type"], data


def list_attachments(rt: Runtime, uow_factory: UowFactory, case_id: str,
                     actor: str | None = None) -> list[AttachmentInfo]:
    """A case's attachments; names and types decrypted (and the access audited) only for an actor."""
    with uow_factory() as uow:
        case = open_case(uow, case_id)
        rows = uow.content.attachments(case.id)
        if actor is None:
            return [AttachmentInfo(r.id, r.size, r.created_at, r.created_by) for r in rows]
        dek = case_key(rt, uow, case) if rows else None
        result = []
        for row in rows:
            meta = _meta(rt, dek, case, row)
            result.append(AttachmentInfo(row.id, row.size, row.created_at, row.created_by, meta["name"],
                                         meta["type"]))
        audit.record(uow, rt.now(), actor, "attachment.list", case.id, {"count": len(result)})
        uow.commit()
    return result


def start_case_with_content(rt: Runtime, uow_factory: UowFactory, cmd: StartCase,
                            content: Mapping[str, Any]) -> str:
    """Start a case and seal its content in the same unit of work: one commit, or nothing."""
    with uow_factory() as uow:
        case_id = cases.start_in_uow(cmd, uow, rt)
        names = store_fields(rt, uow, open_case(uow, case_id), dict(content or {}), cmd.actor)
        if names:
            audit.record(uow, rt.now(), cmd.actor, "content.write", case_id, {"fields": names})
        uow.commit()
    return case_id


def split_form_data(rt: Runtime, process_id: str, form_id: str | None,
                    raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a form submission and split it: (workflow data, content for the content store)."""
    definition = rt.definition(process_id)
    if definition is None:
        raise NotFound(f"process '{process_id}' has no workflow definition")
    form = definition.form(form_id or definition.start_form or "")
    if form is None:
        raise NotFound(f"process '{process_id}' has no form '{form_id}'")
    return form.validate(raw)
