"""``python -m otelray`` runs the CLI."""

from otelray.cli import main

main()
