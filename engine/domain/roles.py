"""Roles of an integrity office. A BPMN lane is a role; the lane's name is the role code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """A role code with its Spanish and English labels."""

    code: str
    label_es: str
    label_en: str
    internal: bool = True


ROLES: tuple[Role, ...] = (
    Role("mesa_de_partes", "Mesa de partes", "Registry desk"),
    Role("oii", "Oficina de Integridad Institucional", "Integrity office"),
    Role("chief", "Jefatura de integridad", "Integrity chief"),
    Role("custodian", "Custodio de identidad", "Identity custodian"),
    Role("st_pad", "Secretaría Técnica del PAD", "Disciplinary technical secretariat"),
    Role("instructing_authority", "Órgano instructor", "Instructing authority"),
    Role("deciding_authority", "Órgano sancionador", "Deciding authority"),
    Role("appeal_body", "Órgano de apelación", "Appeal body"),
    Role("hr", "Recursos humanos", "Human resources"),
    Role("oci", "Órgano de Control Institucional", "Internal control office"),
    Role("entity_head", "Titular de la entidad", "Head of the entity"),
    Role("auditor", "Auditor / diseñador de procesos", "Auditor / process designer"),
    Role("admin", "Administrador", "Administrator"),
    Role("complainant", "Denunciante", "Complainant", internal=False),
)

ROLE_CODES: frozenset[str] = frozenset(r.code for r in ROLES)
LANE_ROLES: frozenset[str] = ROLE_CODES - {"admin", "auditor"}


def role(code: str) -> Role:
    """Return the role with this code; KeyError names the unknown code."""
    for candidate in ROLES:
        if candidate.code == code:
            return candidate
    raise KeyError(code)
