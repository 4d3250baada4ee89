"""Decode speed against the memory-bandwidth bound: is a tok/s per user physically plausible?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from arena.catalog.types import Bench, HardwareProfile
from arena.service.shapes import RooflineShape

# What the bound leaves out, said wherever a fraction is shown.
LEAVES_OUT = (
    "bound = memory bandwidth / bytes of active weights per token; it leaves out KV-cache "
    "and activation reads (so real decode sits below it) and batching"
)
NO_SINGLE_USER = "no c = 1 row"
ABOVE = "above the bandwidth bound: speculative decoding, or a wrong parameter count or precision"


def bound_tps(bandwidth_gbs: float, params_active_b: float, bytes_per_param: float) -> float:
    """Tokens/s one user could decode if every token read the active weights once and nothing
    else: GB/s over GB per token (params in billions x bytes per parameter)."""
    return bandwidth_gbs / (params_active_b * bytes_per_param)


def _float(x: object) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def single_user_tps(rows: Sequence[Mapping[str, object]]) -> float | None:
    """The fastest decode tok/s per request among rows run at concurrency 1, if any."""
    found = [
        t
        for r in rows
        if r.get("concurrency") == 1 and (t := _float(r.get("tg_tps_req"))) is not None
    ]
    return max(found) if found else None


def roofline(
    bench: Bench | None,
    rows: Sequence[Mapping[str, object]],
    headline_tps: float | None,
    params_active_b: float | None,
    bytes_per_param: float | None,
    hardware: HardwareProfile | None,
) -> RooflineShape | None:
    """The fraction for one closed-loop bench: the c = 1 row where there is one (at c > 1 the
    weights read per step are shared by the batch), else the headline at the reference point."""
    if bench is None or bench.mode != "closed" or hardware is None:
        return None
    if not params_active_b or not bytes_per_param:
        return None
    bound = bound_tps(hardware.memory_bandwidth_gbs, params_active_b, bytes_per_param)
    tps = single_user_tps(rows)
    if tps is not None:
        where = "fastest c = 1 row"
    elif headline_tps is not None:
        tps = headline_tps
        where = (
            f"headline at c = {bench.reference_concurrency} ({NO_SINGLE_USER}; batched requests "
            "share each weight read, so this is the reference point, not a single user)"
        )
    else:
        return None
    fraction = tps / bound
    note = f"{where}; {hardware.name}, {hardware.memory_bandwidth_gbs:g} GB/s; {LEAVES_OUT}"
    if fraction > 1:
        note = f"{ABOVE}; {note}"
    return {"bound_tps": round(bound, 2), "fraction": round(fraction, 4), "note": note}
