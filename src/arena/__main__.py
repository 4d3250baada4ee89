"""`python -m arena` runs the CLI."""

from arena.cli.app import main

main()
