"""How command results look: JSON on stdout, or rich tables for a person at a terminal.

One module per command group, beside the commands in ``dutybound.cli``. Renderers take the
result's JSON (the same dictionaries ``--format json`` prints), so a table can never show
something the JSON does not hold.
"""
