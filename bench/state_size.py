"""State size: the sealed bytes of a finished complaint, and how they grow with loops and messages.

Sealed bytes = AES-GCM ciphertext (zlib-compressed JSON of the instance state, without the spec) plus
the wrapped data key. The JSON size before compression is reported alongside.
"""

from __future__ import annotations

import zlib

from bench.common import (
    DAY,
    INTAKE,
    PATH,
    bench_engine,
    complete_by_name,
    dispose,
    goal_row,
    row,
    run_complaint,
    scratch_dir,
)

GOAL = 64 * 1024
CORRECTION_LOOP = (
    ("assess_admissibility", {"admissibility": "incomplete"}),
    ("request_correction", {"correction_requested_on": DAY}),
    ("submit_correction", {"corrected_on": DAY}),
)
# Routed to every target by an identified complainant asking for protection: two messages thrown
# (start_proteccion, start_pad), each starting a linked case.
MESSAGES_INTAKE = {**INTAKE, "anonymous": False, "identity_code": "CC-0001", "protection_requested": True}
MESSAGES_ROUTE = {"route_targets": ["st_pad", "procuraduria", "oci"]}


def sizes(engine, case_id: str) -> tuple[int, int]:
    """(sealed bytes, JSON bytes before compression) of a case's state."""
    with engine.rt.uow_factory(readonly=True) as uow:
        case = uow.cases.get(case_id)
        blob = uow.states.get(case_id)
    plain = engine.rt.sealer.open(case.tenant_id, case.id, blob)
    return len(blob.ciphertext) + len(blob.wrapped_key), len(zlib.decompress(plain))


def with_loops(engine, loops: int) -> str:
    """A complaint sent back for correction `loops` times, then taken to closure."""
    case_id = engine.start_case("denuncia", INTAKE, actor="bench")
    complete_by_name(engine, case_id, *PATH[0])
    for _ in range(loops):
        for name, data in CORRECTION_LOOP:
            complete_by_name(engine, case_id, name, data)
    for name, data in PATH[1:]:
        complete_by_name(engine, case_id, name, data)
    return case_id


def with_messages(engine) -> str:
    """A complaint that throws two messages (protection, PAD), taken to closure."""
    case_id = engine.start_case("denuncia", MESSAGES_INTAKE, actor="bench")
    for name, data in PATH:
        complete_by_name(engine, case_id, name, MESSAGES_ROUTE if name == "route" else data)
    return case_id


def run(quick: bool, loops: tuple[int, ...] | None = None) -> list[dict]:
    """Sealed state sizes of finished complaints."""
    loop_counts = loops if loops is not None else ((0, 5, 10) if quick else (0, 5, 10, 20, 40))
    result = []
    with scratch_dir() as folder:
        engine, _ = bench_engine(folder)
        try:
            sealed, plain = sizes(engine, run_complaint(engine))
            result.append(goal_row("state_bytes", sealed, "bytes", 1, "64 KiB", GOAL, json_bytes=plain,
                                   note="finished complaint, main path (6 steps)"))
            for count in loop_counts:
                sealed_k, plain_k = sizes(engine, with_loops(engine, count))
                result.append(row(f"state_bytes_loops_{count}", sealed_k, "bytes", 1, "state_bytes",
                                  loops=count, json_bytes=plain_k))
            top = max(loop_counts)
            if top > 0:
                first = next(r for r in result if r.get("loops") == min(loop_counts))
                last = next(r for r in result if r.get("loops") == top)
                result.append(row("state_bytes_per_loop", (last["value"] - first["value"]) / (top - min(loop_counts)),
                                  "bytes", top, "state_bytes",
                                  json_bytes_per_loop=(last["json_bytes"] - first["json_bytes"]) / top))
            sealed_m, plain_m = sizes(engine, with_messages(engine))
            result.append(row("state_bytes_messages", sealed_m, "bytes", 2, "state_bytes", json_bytes=plain_m,
                              note="two thrown messages (protection, PAD) starting linked cases"))
        finally:
            dispose(engine)
    return result
