"""Regenerate migrations from the models (issue 9). Run from the repository root:

    .venv/bin/python migrations/regenerate.py            # rewrite the initial revision 0001 (before the first release)
    .venv/bin/python migrations/regenerate.py -m "text"  # after a release: a new revision with the differences

`make migration` runs the first form. tests/integration/test_migrations.py fails while the migrations and
the models differ, so a table added without a migration cannot go unnoticed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INITIAL = "0001"


def _initial(config_for) -> None:
    from alembic import command

    for old in (ROOT / "migrations" / "versions").glob(f"{INITIAL}_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(config_for(f"sqlite:///{tmp}/empty.db"), message="initial schema",
                         autogenerate=True, rev_id=INITIAL)


def _incremental(config_for, message: str) -> None:
    from alembic import command

    from engine.adapters.db import alembic_config, make_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/head.db"
        db = make_engine(url)
        try:
            with db.begin() as conn:
                command.upgrade(alembic_config(conn), "head")
        finally:
            db.dispose()
        command.revision(config_for(url), message=message, autogenerate=True)


def main() -> None:
    """Parse arguments and write the revision file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--message", help="write a new incremental revision with this message")
    args = parser.parse_args()
    from engine.adapters.db import alembic_config, load_all_schemas

    load_all_schemas()

    def config_for(url: str):
        config = alembic_config()
        config.set_main_option("sqlalchemy.url", url)
        return config

    if args.message:
        _incremental(config_for, args.message)
    else:
        _initial(config_for)


if __name__ == "__main__":
    main()
