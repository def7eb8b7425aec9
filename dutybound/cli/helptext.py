"""What ``--help`` shows in its type column: what to type, never a Python type.

Typer's default column says ``<bool>`` for a flag, ``<str>`` or ``<list[str]>`` for text and
``<path>`` for a file, which tells a compliance officer nothing. Every option gets a metavar
saying what to type (DATE, FILE, CODE, ROLE, ...), flags get none (they take no value), an
argument shows its name only (``FILE``) and not its Python type beside it, and an
option named after an inventory column with a closed vocabulary (``check --category``) lists
the words it accepts in its help.

This is applied once to the whole command tree by the root group (``HelpfulGroup``), so that a
command added later, by anyone, gets the same words without repeating them: an option that
declares its own ``metavar`` keeps it, and the rest are named from ``METAVARS`` by option name,
then from their type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperArgument, TyperOption

from dutybound.cli.boundary import InputErrorGroup

if TYPE_CHECKING:
    from typer._click import Command, Context, Parameter

# what to type, by option name (without the leading dashes)
METAVARS: dict[str, str] = {
    "as-of": "DATE",
    "from": "DATE",
    "to": "DATE",
    "since": "DATE",
    "until": "DATE",
    "on": "DATE",
    "country": "CODE",
    "origin": "CODE",
    "jurisdiction": "CODE",
    "as-role": "ROLE",
    "role": "ROLE",
    "as-sector": "SECTOR",
    "sector": "SECTOR",
    "vendor": "VENDOR",
    "db": "URL",
    "lang": "LANG",
    "sheet": "SHEET",
    "compare": "CODES",
    "default": "COLUMN=VALUE",
    "assume-designation": "CODE:GROUP:DATE",
    "kind": "KIND",
    "group": "GROUP",
    "product": "TEXT",
    "model": "TEXT",
    "name": "NAME",
    "quantity": "N",
    "flags": "FLAG;FLAG",
    "host": "HOST",
    "port": "PORT",
    "workers": "N",
    "show": "ID",
    "limit": "N",
    "category": "CATEGORY",
    "function": "FUNCTION",
    "network": "NETWORK",
    "use": "USE",
    "status": "STATUS",
    "asset": "ID",
    "stored": "ID",
    "expect-head": "HASH",
    "prepared-by": "NAME",
    "reviewed-by": "NAME",
    "approved-by": "NAME",
    "document-version": "VERSION",
    "classification": "LABEL",
    "consultant-of": "TENANT",
}
# options named after an inventory column whose words ``dutybound vocabulary`` lists
VOCABULARY_OPTIONS = ("category", "function", "network", "use", "status", "flags")


def _metavar(option: TyperOption) -> str | None:
    """The metavar an option without one gets, or None to keep Typer's (a list of choices)."""
    if option.is_flag:
        return ""  # a flag takes no value: nothing to show
    descriptor = option.type_descriptor
    if descriptor.is_choice:
        if descriptor.is_list:  # Typer would show <list[a|b]>
            return "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ())
        return None  # Typer shows the allowed values: <json|table>
    long = next((o[2:] for o in option.opts if o.startswith("--")), option.name or "")
    if long in METAVARS:
        return METAVARS[long]
    if descriptor.is_path:
        return "DIR" if long.endswith("dir") else "FILE"
    if descriptor.is_ranged or descriptor.annotation in (int, float):
        return "N"
    return long.upper().replace("-", "_")


def _vocabulary_help(option: TyperOption) -> None:
    """Append the allowed words to the help of an option named after a vocabulary column."""
    from dutybound.engine.vocabulary import WORDS, Vocabulary

    long = next((o[2:] for o in option.opts if o.startswith("--")), "")
    if long not in VOCABULARY_OPTIONS or "One of:" in (option.help or ""):
        return
    words = ", ".join(sorted(WORDS[Vocabulary(long)]))
    option.help = (
        f"{option.help or ''} One of: {words} ('dutybound vocabulary' says what each means)."
    )


def _plain_help_option(command: Command) -> None:
    """``--help`` is a flag too; Typer creates it on first use, so its metavar is cleared then."""
    create = command.get_help_option

    def get_help_option(ctx: Context) -> Any:
        option = create(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option  # type: ignore[method-assign]


def _no_type(ctx: Context) -> None:
    """An argument's type column: empty, its name column already says what to give."""
    return None


def _humanize_params(params: list[Parameter]) -> None:
    for param in params:
        if isinstance(param, TyperOption):
            if param.metavar is None:
                param.metavar = _metavar(param)
            _vocabulary_help(param)
        elif isinstance(param, TyperArgument):
            if param.metavar is None:
                name = (param.name or "value").upper()
                param.metavar = "FILE" if param.type_descriptor.is_path else name
            param.display_type_rich = _no_type  # type: ignore[method-assign]


def humanize(command: Command) -> None:
    """Give every option of ``command`` and of its sub-commands a metavar saying what to type."""
    _humanize_params(command.params)
    _plain_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        humanize(sub)


class HelpfulGroup(InputErrorGroup):
    """The root ``dutybound`` group: the error boundary, and help that says what to type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        humanize(self)

    def get_params(self, ctx: Context) -> list[Parameter]:
        """The root's options, with the completion options Typer adds after construction."""
        params = super().get_params(ctx)
        _humanize_params(params)
        return params
