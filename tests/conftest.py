"""Shared pytest configuration. Keep it additive: several features add fixtures here."""

# tests/pg.py: a throwaway PostgreSQL server, and integration tests on both backends (issue 9).
pytest_plugins = ["tests.pg"]
