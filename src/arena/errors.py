"""One error type whose message is the single line a user sees."""


class ArenaError(Exception):
    """Bad input or state, shown as one line naming file, field, value and what was expected."""
