"""`python -m arena` and the `arena` script: Ctrl-C while the CLI is still loading is one line and
exit 130, like Ctrl-C at any later moment."""

import sys


def run() -> None:
    """Import and run the CLI; a KeyboardInterrupt that reaches here never prints a traceback."""
    try:
        from arena.cli.app import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    run()
