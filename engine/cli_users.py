"""CLI commands of the users feature: `probidad users list|add|totp|reset-password`, `probidad entities`."""

from __future__ import annotations

import secrets

import click

from engine.config import Settings
from engine.errors import ConfigurationError, NotFound


def _engine():
    from engine import bootstrap

    return bootstrap.build(Settings.from_env())


@click.group("users")
def users() -> None:
    """Internal users (officers, custodian, auditor, admin)."""


@users.command("list")
def users_list() -> None:
    """List users: username, entity, roles, 2FA state."""
    for user in _engine().users():
        state = "2fa" if user.totp_enrolled else "2fa-pending"
        click.echo(f"{user.username}  {user.tenant_id}  {','.join(user.roles)}  {state}"
                   + ("" if user.active else "  inactive"))


@users.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--name", "full_name", default="")
@click.option("--tenant", default=None)
def users_add(username: str, roles: tuple[str, ...], full_name: str, tenant: str | None) -> None:
    """Create a user with a random initial password (printed once); TOTP is enrolled at first login."""
    password = secrets.token_urlsafe(12)
    user = _engine().create_user(username, password, full_name or username, roles, tenant=tenant, actor="cli")
    click.echo(f"user {user.username} password {password}")


@users.command("reset-password")
@click.argument("username")
def users_reset(username: str) -> None:
    """A new random password and a new TOTP enrolment at next login (grants no content access)."""
    engine = _engine()
    user = engine.user_by_username(username)
    if user is None:
        raise NotFound(f"user {username} not found")
    password = secrets.token_urlsafe(12)
    engine.reset_password(user.id, password, actor="cli")
    engine.enroll_totp(user.id, actor="cli")
    click.echo(f"user {user.username} password {password}")


@users.command("totp")
@click.argument("username")
def users_totp(username: str) -> None:
    """Development only: give a user a new, confirmed TOTP secret and print it."""
    settings = Settings.from_env()
    if settings.production:
        raise ConfigurationError("TOTP secrets are never printed in production")
    engine = _engine()
    user = engine.user_by_username(username)
    if user is None:
        raise NotFound(f"user {username} not found")
    click.echo(engine.enroll_totp(user.id, actor="cli", confirmed=True))


@click.group("entities")
def entities() -> None:
    """Entities (tenants)."""


@entities.command("list")
def entities_list() -> None:
    """List entities."""
    for entity in _engine().entities():
        click.echo(f"{entity.id}  {entity.name}")


@entities.command("add")
@click.argument("code")
@click.argument("name")
def entities_add(code: str, name: str) -> None:
    """Create an entity."""
    click.echo(_engine().create_entity(code, name, actor="cli").id)


def register(main) -> None:
    """Attach `users` and `entities` to the `probidad` group."""
    group_cls = type(main)
    for group in (users, entities):
        group.__class__ = group_cls if isinstance(group, click.Group) else group.__class__
        main.add_command(group)
