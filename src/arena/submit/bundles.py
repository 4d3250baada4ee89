"""A stored run read back as the arena-run/1 bundle a board takes."""

from __future__ import annotations

import json

from arena.dataset.bundle import RunBundle, to_bundle
from arena.errors import ArenaError
from arena.store import Store
from arena.store.run_parts import run_parts


def local_bundle(store: Store, run_id: str) -> RunBundle:
    """The run `run_id` of the local database with its build, hardware, base model, results."""
    parts = run_parts(store, run_id)
    if parts is None:
        raise ArenaError(f"run '{run_id}' is not in the local database")
    return RunBundle(parts.hardware, parts.build, parts.run, parts.results, parts.base_model)


def bundle_body(bundle: RunBundle) -> bytes:
    """The bundle as strict JSON bytes; a non-finite number is named, not sent as NaN."""
    try:
        return json.dumps(to_bundle(bundle), allow_nan=False, default=str).encode("utf-8")
    except ValueError as exc:
        raise ArenaError(
            f"run '{bundle.run.id}': holds a non-finite number (NaN or infinity); "
            "expected finite numbers only"
        ) from exc
