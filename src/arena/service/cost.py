"""Cost per million output tokens from a bench's measured energy and the user's [cost] prices."""

# Energy: 1 kWh = 3.6e6 J (SI: 1 W·h = 3600 J), so a million tokens at J joules each take
# J × 1e6 / 3.6e6 kWh. Hardware: straight-line amortisation of the box's price over the hours it
# is in use during its lifetime, each hour producing what the bench measured.

from __future__ import annotations

from pathlib import PurePath

from arena.catalog.types import CostConfig
from arena.records import Energy
from arena.service.shapes import BenchCost, CostBasis

JOULES_PER_KWH = 3.6e6
DAYS_PER_YEAR = 365
PER = 1e6  # tokens in the figure's unit

ENERGY_RULE = "energy = J per output token × 1e6 / 3.6e6 J per kWh × electricity_per_kwh"
HARDWARE_RULE = (
    "hardware = hardware_price / (hardware_lifetime_years × 365 × hours_per_day) per hour of use "
    "÷ (output tok/s × 3600) × 1e6, output tok/s = the bench's output tokens / its duration: "
    "the box is taken to run this bench's load hours_per_day every day of its lifetime"
)
LEAVES_OUT = (
    "Left out: power the telemetry does not see (for example the rest of the system and power "
    "supply losses), idle hours, interest and resale value."
)


def energy_per_mtok(joules_per_token: float, price_per_kwh: float) -> float:
    """Electricity for a million output tokens: kWh they take × price per kWh."""
    return joules_per_token * PER / JOULES_PER_KWH * price_per_kwh


def hardware_per_mtok(
    price: float, lifetime_years: float, hours_per_day: float, output_tps: float
) -> float:
    """The box's price per hour of use (straight-line over its lifetime) divided by the output
    tokens one hour makes at the measured throughput, per million tokens."""
    per_hour = price / (lifetime_years * DAYS_PER_YEAR * hours_per_day)
    return per_hour / (output_tps * 3600) * PER


def output_tps(e: Energy) -> float | None:
    """Output tok/s over the span the energy covers: tokens / duration, else the same ratio
    recovered from mean power / J per token (J/token = power × duration / tokens)."""
    if e.output_tokens and e.duration_s:
        return e.output_tokens / e.duration_s
    j = e.joules_per_output_token
    return e.mean_power_w / j if j and e.mean_power_w > 0 else None


def rule(cfg: CostConfig) -> str:
    """The formula the figures follow, with the hardware part only when a price is given."""
    parts = [ENERGY_RULE]
    if cfg.hardware_price is not None:
        parts.append(HARDWARE_RULE)
    total = "energy + hardware" if len(parts) > 1 else "energy"
    return f"{cfg.currency} per 1M output tokens = {total}; " + "; ".join(parts) + ". " + LEAVES_OUT


def cost_basis(cfg: CostConfig) -> CostBasis:
    """The prices, where they came from, and the rule: what every cost figure carries."""
    hardware = cfg.hardware_price is not None
    return {
        "currency": cfg.currency,
        "electricity_per_kwh": cfg.electricity_per_kwh,
        "hardware_price": cfg.hardware_price,
        "hardware_lifetime_years": cfg.hardware_lifetime_years,
        "hours_per_day": cfg.hours_per_day if hardware else None,
        # the file name only: a served board must not reveal the server's home directory
        "config": PurePath(cfg.source).name,
        "rule": rule(cfg),
    }


Parts = tuple[float, float | None, float | None]  # energy, hardware per 1M tokens; output tok/s


def cost_parts(cfg: CostConfig, e: Energy | None) -> Parts | None:
    """Energy and (with a hardware price) hardware cost per million output tokens, and the
    output tok/s used; None without a measured J/token, or when the hardware part is asked
    for but no throughput is known (a total without it would read as the whole cost)."""
    if e is None or e.joules_per_output_token is None:
        return None
    energy = energy_per_mtok(e.joules_per_output_token, cfg.electricity_per_kwh)
    tps = output_tps(e)
    if cfg.hardware_price is None or cfg.hardware_lifetime_years is None:
        return energy, None, tps
    if not tps:
        return None
    hardware = hardware_per_mtok(
        cfg.hardware_price, cfg.hardware_lifetime_years, cfg.hours_per_day, tps
    )
    return energy, hardware, tps


def per_mtok(cfg: CostConfig, e: Energy | None) -> float | None:
    """Total cost per million output tokens of one bench, unrounded (for means over benches)."""
    parts = cost_parts(cfg, e)
    return None if parts is None else parts[0] + (parts[1] or 0.0)


def bench_cost(cfg: CostConfig | None, e: Energy | None) -> BenchCost | None:
    """One bench's cost per million output tokens with its inputs, prices and rule; None
    without prices or without a measured J/token."""
    parts = None if cfg is None or e is None else cost_parts(cfg, e)
    if cfg is None or e is None or e.joules_per_output_token is None or parts is None:
        return None
    energy, hardware, tps = parts
    return {
        "per_mtok": round(energy + (hardware or 0.0), 4),
        "energy_per_mtok": round(energy, 4),
        "hardware_per_mtok": None if hardware is None else round(hardware, 4),
        "joules_per_output_token": e.joules_per_output_token,
        "output_tps": None if tps is None else round(tps, 2),
        **cost_basis(cfg),
    }
