"""Noticing that a session wrote rows, so the store can raise the data version once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

WROTE = "arena_wrote"  # Session.info key: this transaction changed rows


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """A flush that inserted, deleted or really changed an object marks the session."""
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        session.info[WROTE] = True


def _on_execute(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE statement run through the session marks it too."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def track_writes(session: Session) -> None:
    """Listen on this session (only) for writes."""
    listeners: list[tuple[str, Any]] = [
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
    ]
    for name, fn in listeners:
        event.listen(session, name, fn)
