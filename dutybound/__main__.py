"""``python -m dutybound``: the same command line as the ``dutybound`` script."""

from dutybound.cli import main

main()
