"""``python -m dutybound``: the same command line as the ``dutybound`` script."""

from dutybound.engine.cli import main

main()
