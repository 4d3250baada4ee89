"""The [cost] table of the user's config file: prices for cost per million output tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from arena.catalog.types import CostConfig
from arena.catalog.validate import CHECKS
from arena.errors import ArenaError

# Field -> check of validate.CHECKS.
COST_SPEC = {
    "electricity_per_kwh": "nonneg_num",
    "currency": "str",
    "hardware_price": "nonneg_num",
    "hardware_lifetime_years": "pos_num",
    "hours_per_day": "pos_num",
}
HARDWARE_FIELDS = ("hardware_price", "hardware_lifetime_years")


def parse_cost(source: str, table: object) -> CostConfig:
    """One validated [cost] table; the hardware price and its lifetime come together."""
    where = f"{source}: [cost]"
    if not isinstance(table, dict):
        raise ArenaError(f"{where} must be a table (`[cost]`), got {table!r}")
    if "electricity_per_kwh" not in table:
        raise ArenaError(f"{where}: missing field 'electricity_per_kwh' (price of one kWh)")
    for name, value in table.items():
        if name not in COST_SPEC:
            known = ", ".join(COST_SPEC)
            raise ArenaError(f"{where}: unknown field '{name}'; known fields: {known}")
        check, expected = CHECKS[COST_SPEC[name]]
        if not check(value):
            raise ArenaError(f"{where}: field '{name}' = {value!r}; expected {expected}")
    given = [f for f in HARDWARE_FIELDS if f in table]
    if len(given) == 1:
        other = next(f for f in HARDWARE_FIELDS if f not in table)
        raise ArenaError(f"{where}: field '{given[0]}' needs '{other}' as well")
    hours = table.get("hours_per_day", 24.0)
    if "hours_per_day" in table and not given:
        raise ArenaError(
            f"{where}: field 'hours_per_day' = {hours!r} applies only with 'hardware_price'"
        )
    if hours > 24:
        raise ArenaError(f"{where}: field 'hours_per_day' = {hours!r}; expected at most 24")
    return _config(source, table)


def _config(source: str, table: Mapping[str, object]) -> CostConfig:
    def num(name: str) -> float | None:
        value = table.get(name)
        return float(value) if isinstance(value, int | float) else None

    return CostConfig(
        electricity_per_kwh=float(cast(float, table["electricity_per_kwh"])),
        source=source,
        currency=str(table.get("currency", "USD")),
        hardware_price=num("hardware_price"),
        hardware_lifetime_years=num("hardware_lifetime_years"),
        hours_per_day=num("hours_per_day") or 24.0,
    )
