"""The write side of a board: per-host tokens, submitted runs stored once, retraction."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.records import BaseModelInfo
from arena.store import writes
from arena.store.reads import bench_record, run_info
from arena.store.repo import Store
from arena.store.schema import BaseModelRow, BenchResult, BoardToken, Build, Hardware, RunRow
from arena.store.submission import Submission, check_submission

HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
Status = Literal["created", "exists"]
_ATTEMPTS = 5  # a concurrent insert of the same new build or hardware makes one retry


class SubmissionConflict(ArenaError):
    """The run id is stored with other content: a permanent refusal for that id."""


@dataclass(frozen=True)
class TokenInfo:
    """A host's token as listed: never the token itself."""

    host: str
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class SubmittedRun:
    """Who sent a stored run, when, its digest and whether it was retracted."""

    run_id: str
    build_id: str
    suite: str
    hardware_id: str
    submitted_by: str | None
    submitted_at: str | None
    retracted_at: str | None
    retract_reason: str | None
    content_hash: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_host(host: str) -> str:
    """The host name as given, when it is a short name a log line and a URL can carry."""
    if not HOST.fullmatch(host):
        raise ArenaError(
            f"host {host!r}: expected 1-64 ASCII letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit)"
        )
    return host


# ---- tokens -------------------------------------------------------------------------------
def add_token(store: Store, host: str) -> str:
    """A new write token for `host` (replacing its old one, which stops working); only its
    SHA-256 is stored, so this is the one time it can be read."""
    return replace_token(store, host)[0]


def replace_token(store: Store, host: str) -> tuple[str, TokenInfo | None]:
    """`add_token` that also returns the host's token it replaced (None for a new host), so the
    caller can say whether a token in use stopped working."""
    check_host(host)
    token = secrets.token_urlsafe(32)
    with store.session() as s:
        row = s.get(BoardToken, host)
        if row is None:
            s.add(BoardToken(host=host, token_hash=_digest(token), created_at=_now()))
            return token, None
        before = TokenInfo(row.host, row.created_at, row.revoked_at)
        row.token_hash, row.created_at, row.revoked_at = _digest(token), _now(), None
    return token, before


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every host with a token, by name."""
    with Session(store.engine) as s:
        rows = s.scalars(select(BoardToken).order_by(BoardToken.host))
        return [TokenInfo(r.host, r.created_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, host: str) -> TokenInfo:
    """Stop `host`'s token from working (kept listed, with the time it was first revoked)."""
    with store.session() as s:
        row = s.get(BoardToken, host)
        if row is None:
            known = ", ".join(s.scalars(select(BoardToken.host).order_by(BoardToken.host)))
            raise ArenaError(f"host '{host}': no token; hosts with a token: {known or 'none'}")
        if row.revoked_at is None:
            row.revoked_at = _now()
        return TokenInfo(row.host, row.created_at, row.revoked_at)


def verify(store: Store, token: str) -> str | None:
    """The host a token belongs to; None for an unknown or revoked token."""
    with Session(store.engine) as s:
        row = s.scalars(select(BoardToken).where(BoardToken.token_hash == _digest(token))).first()
        return row.host if row is not None and row.revoked_at is None else None


# ---- submitted runs ------------------------------------------------------------------------
def _same_content(s: Session, row: RunRow, b: Submission, digest: str) -> bool:
    """True when a stored run holds what `b` holds (by digest; by facts for a run stored
    without one, such as the bundled data)."""
    if row.content_hash is not None:
        return row.content_hash == digest
    if row.build_id != b.build.id:
        return False
    stored = dataclasses.replace(run_info(row), id="", origin="")
    if stored != dataclasses.replace(b.run, id="", origin=""):
        return False
    held = s.scalars(select(BenchResult).where(BenchResult.run_id == row.id))
    mine = sorted(b.results, key=lambda r: r.bench_id)
    return sorted((bench_record(r) for r in held), key=lambda r: r.bench_id) == mine


def _lookup(store: Store, b: Submission, digest: str) -> tuple[str, Status] | None:
    """The stored run this submission already is, or None; a conflict for a reused id."""
    with Session(store.engine) as s:
        row = s.get(RunRow, b.run.id)
        if row is not None:
            if not _same_content(s, row, b, digest):
                raise SubmissionConflict(
                    f"run '{b.run.id}' is stored with other content (digest "
                    f"{row.content_hash or 'of a local run'}); send new measurements under a "
                    "new run id"
                )
            return row.id, "exists"
        same = s.scalars(select(RunRow.id).where(RunRow.content_hash == digest)).first()
        if same is not None:
            return same, "exists"
        local = select(RunRow).where(RunRow.build_id == b.build.id, RunRow.content_hash.is_(None))
        for row in s.scalars(local):  # runs stored before digests, e.g. the bundled data
            if _same_content(s, row, b, digest):
                return row.id, "exists"
        return None


def _fill(row: object, values: dict[str, object]) -> None:
    """Set only what the stored row does not know yet: a submission never rewrites facts."""
    for key, value in values.items():
        if value is not None and getattr(row, key) is None:
            setattr(row, key, value)


def _write(s: Session, b: Submission, host: str, digest: str) -> None:
    """Every row of one submitted run, inside the caller's transaction."""
    hw = s.get(Hardware, b.hardware.id)
    if hw is None:
        s.add(Hardware(**dataclasses.asdict(b.hardware)))
    else:
        _fill(hw, {"memory_gb": b.hardware.memory_gb})
    base = b.base_model or BaseModelInfo(id=b.build.base_model)
    bm = s.get(BaseModelRow, base.id)
    if bm is None:
        s.add(BaseModelRow(**dataclasses.asdict(base)))
    else:
        _fill(bm, dataclasses.asdict(base))
    build = dataclasses.asdict(b.build)
    build["base_model_id"] = build.pop("base_model")
    row = s.get(Build, b.build.id)
    if row is None:
        s.add(Build(**build, origin=f"board:{host}"))
    else:
        _fill(row, build)
    s.flush()
    values = dataclasses.asdict(b.run)
    values.update(
        origin=f"board:{host}",
        recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
        submitted_by=host,
        submitted_at=_now(),
        content_hash=digest,
    )
    s.add(RunRow(**values, build_id=b.build.id))
    s.flush()
    for rec in b.results:
        writes.put_result(s, b.build.id, b.run.id, rec)


def put_submitted(
    store: Store, bundle: Submission, host: str, catalog: Catalog | None = None
) -> tuple[str, Status]:
    """Store a run sent by `host` once: ("created") in one transaction, or the stored run's id
    ("exists") when its id or its content is there; SubmissionConflict for a reused id."""
    if catalog is None:
        from arena.catalog import load_catalog

        catalog = load_catalog()
    check_submission(bundle, catalog)
    digest = bundle.content_hash()
    for _ in range(_ATTEMPTS):
        found = _lookup(store, bundle, digest)
        if found is not None:
            return found
        try:
            with store.session() as s:
                _write(s, bundle, host, digest)
        except IntegrityError:
            continue  # someone stored this run, its build or hardware first: look again
        return bundle.run.id, "created"
    found = _lookup(store, bundle, digest)
    if found is not None:
        return found
    raise ArenaError(f"run '{bundle.run.id}': could not be stored after {_ATTEMPTS} attempts")


# ---- reading and retracting ------------------------------------------------------------------
def _submitted(r: RunRow) -> SubmittedRun:
    return SubmittedRun(
        r.id,
        r.build_id,
        r.suite,
        r.hardware_id,
        r.submitted_by,
        r.submitted_at,
        r.retracted_at,
        r.retract_reason,
        r.content_hash,
    )


def submitted_run(store: Store, run_id: str) -> SubmittedRun | None:
    """One stored run's board facts, or None."""
    with Session(store.engine) as s:
        row = s.get(RunRow, run_id)
        return _submitted(row) if row is not None else None


def submitted_runs(store: Store, build_id: str | None = None) -> list[SubmittedRun]:
    """Every stored run (of one build), by build and recording time."""
    with Session(store.engine) as s:
        query = select(RunRow).order_by(RunRow.build_id, RunRow.recorded_at, RunRow.id)
        if build_id is not None:
            query = query.where(RunRow.build_id == build_id)
        return [_submitted(r) for r in s.scalars(query)]


def retract(store: Store, run_id: str, reason: str) -> tuple[SubmittedRun, bool]:
    """Mark a run retracted with a reason (kept in history, never ranked); False when it was
    retracted already, which keeps the first reason."""
    if not reason.strip():
        raise ArenaError("--reason: expected a non-empty text saying why the run is retracted")
    with store.session() as s:
        row = s.get(RunRow, run_id)
        if row is None:
            raise ArenaError(f"run '{run_id}' is not in the store (arena runs list shows the ids)")
        if row.retracted_at is not None:
            return _submitted(row), False
        row.retracted_at, row.retract_reason = _now(), reason.strip()
        return _submitted(row), True
