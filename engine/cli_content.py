"""CLI commands of the content feature: custodian keys, KEK rotation and retirement, case shredding."""

from __future__ import annotations

from pathlib import Path

import click

from engine.errors import InvalidInput


def _engine():
    from engine import bootstrap
    from engine.config import Settings

    return bootstrap.build(Settings.from_env())


def _passphrase(passphrase_file: str | None) -> str:
    if passphrase_file:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError:
            raise InvalidInput(f"--passphrase-file: cannot read {passphrase_file}") from None
        return text
    return click.prompt("Custodian passphrase", hide_input=True, confirmation_prompt=True)


@click.command("init")
@click.option("--passphrase-file", default=None, type=click.Path(dir_okay=False),
              help="read the passphrase from a file instead of prompting")
def custodian_init(passphrase_file: str | None) -> None:
    """Create the custodian key pair (Argon2id-locked) in the identity keyring folder."""
    engine = _engine()
    fingerprint = engine.init_custodian(_passphrase(passphrase_file), actor="cli")
    click.echo(f"custodian key created, fingerprint {fingerprint}")


@click.command("rotate")
@click.option("--purpose", type=click.Choice(["workflow", "content", "all"]), default="all")
def keys_rotate(purpose: str) -> None:
    """Create new KEK versions and re-wrap every case key; ciphertext stays byte-for-byte identical."""
    for result in _engine().rotate_keys(purpose, actor="cli"):
        click.echo(f"{result.purpose} v{result.from_version} -> v{result.to_version}: "
                   f"{result.rewrapped} case keys re-wrapped")


@click.command("retire")
@click.argument("version", type=int)
@click.option("--purpose", type=click.Choice(["workflow", "content"]), required=True)
def keys_retire(version: int, purpose: str) -> None:
    """Destroy an old KEK version; refused while any case key still uses it."""
    _engine().retire_key(version, purpose, actor="cli")
    click.echo(f"{purpose} key version {version} retired")


@click.command("shred")
@click.argument("case_id")
@click.option("--reason", required=True, help="why (kept in the content-free tombstone)")
@click.option("--keep-epoch", is_flag=True,
              help="do not retire the old KEK versions now (do it after the backup retention window)")
def case_shred(case_id: str, reason: str, keep_epoch: bool) -> None:
    """Destroy every key and blob of a case; keep a content-free tombstone."""
    result = _engine().shred_case(case_id, reason, actor="cli", destroy_epoch=not keep_epoch)
    click.echo(f"case {result.case_id} shredded")


def register(main) -> None:
    """Attach `custodian init`, `keys rotate|retire` and `case shred` to the `probidad` group."""
    group_cls = type(main)
    custodian = main.commands.get("custodian") or group_cls("custodian", help="The identity custodian.")
    keys = main.commands.get("keys") or group_cls("keys", help="Key-encryption keys: rotation, retirement.")
    main.add_command(custodian)
    main.add_command(keys)
    custodian.add_command(custodian_init)
    keys.add_command(keys_rotate)
    keys.add_command(keys_retire)
    main.commands["case"].add_command(case_shred)
