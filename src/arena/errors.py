"""One error type whose message is the single line a user sees."""


class ArenaError(Exception):
    """Bad input or state, reported as one line naming the file/field/value and what was expected."""
