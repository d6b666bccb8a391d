"""probidad's benchmarks (issue 10): `probidad bench [--quick] [--json]`, see docs/benchmarks.md.

Every benchmark module exposes `run(quick: bool) -> list[dict]`; each row is
`{"name", "value", "unit", "n", "compared_with", ...}` and `bench.runner.run_all` collects them.
"""
