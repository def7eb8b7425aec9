""" "Did you mean ...?": the one helper every message that refuses a word uses.

A new user types ``UK`` for Great Britain, ``cz.cii_admin`` for a role, ``jurisdiction:`` for the
``jurisdictions`` key. Refusing with the full list of allowed words is correct but leaves them to
spot the right one among forty; naming the closest one fixes the mistake in one run. The match is
fuzzy (rapidfuzz, case and punctuation ignored) and deliberately conservative: a
wrong suggestion is worse than none, so below the cut-off nothing is suggested.

Jurisdictions are countries, and people write countries by name or by a common alias: those are
resolved with pycountry (the ISO 3166 names, official and common) plus the codes ISO reserves for
them (``UK`` for GB, ``EL`` for Greece) and the European Union, which ISO does not list.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

# Below this similarity (rapidfuzz ratio, 0-100) no word is suggested: "switch" is not "iot",
# "UK" is not "US" (50).
CUTOFF = 72.0
# Words this short are never taken for an abbreviation.
SHORT = 3
# Longer values are quoted cut in a refusal, and no word is suggested for them.
QUOTED = 80

# Codes and names ISO 3166-1 does not give, but people use for a jurisdiction of the pack.
ALIASES: dict[str, str] = {
    "UK": "GB",  # exceptionally reserved by ISO for the United Kingdom
    "GREAT BRITAIN": "GB",
    "BRITAIN": "GB",
    "ENGLAND": "GB",
    "EL": "GR",  # the EU's code for Greece
    "EUROPEAN UNION": "EU",
    "EUROPE": "EU",
    "USA": "US",
    "AMERICA": "US",
}


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``value``, or None when none is close enough to suggest.

    Close means the same word but for case, or a choice that starts with ``value`` (an
    abbreviation: ``cz.cii_admin``), or an edit-distance similarity (rapidfuzz's ratio, case and
    punctuation ignored) of at least ``CUTOFF``. Partial-match scorers are not used: they find
    ``gb.space_pirate`` "similar" to any long ``gb.`` role."""
    options = [c for c in choices if c != value]
    text = value.strip()
    if not text or not options:
        return None
    folded = {c.casefold(): c for c in options}
    if text.casefold() in folded:  # only the case differs
        return folded[text.casefold()]
    key = utils.default_process(text)
    if len(key) > SHORT:
        starting = [c for c in options if utils.default_process(c).startswith(key)]
        if len(starting) == 1 and len(key) * 2 >= len(starting[0]):
            return starting[0]
    best = process.extractOne(
        text, options, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=CUTOFF
    )
    return None if best is None else str(best[0])


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (or ``EU``) a country name, alias or code stands for:
    ``UK`` and ``United Kingdom`` -> ``GB``, ``Czech Republic`` and ``Czechia`` -> ``CZ``;
    None when ``text`` names no country."""
    import pycountry

    key = " ".join(text.split()).upper()
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    try:
        country = pycountry.countries.lookup(key)
    except LookupError:
        return None
    return str(country.alpha_2)


def suggest(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` to append to a refusal, or '' when nothing is close."""
    best = closest(value, choices)
    return f" (did you mean {best!r}?)" if best is not None else ""


def suggest_jurisdiction(value: str, codes: Iterable[str]) -> str:
    """Like ``suggest`` for a jurisdiction code: a country's name or alias first (``UK`` is
    ``GB``), then a near spelling of a code of the pack."""
    known = set(codes)
    code = country_code(value)
    if code is not None and code in known and code != value:
        return f" (did you mean {code!r}?)"
    return suggest(value, known)


def unknown(
    kind: str, value: str, choices: Iterable[str], *, listing: bool = True, label: str = "allowed"
) -> str:
    """The message refusing ``value`` for ``kind``: what was given, the closest allowed word
    and, with ``listing``, every allowed word after ``label``. A value longer than ``QUOTED``
    is quoted cut (a message is read, not a copy of the input) and gets no suggestion."""
    allowed = sorted(choices)
    if len(value) > QUOTED:
        shown, hint = f"{value[:QUOTED]!r}... ({len(value):,} characters)", ""
    else:
        shown = repr(value)
        hint = (
            suggest_jurisdiction(value, allowed)
            if kind == "jurisdiction"
            else suggest(value, allowed)
        )
    tail = f"; {label}: {', '.join(allowed)}" if listing else ""
    return f"unknown {kind} {shown}{hint}{tail}"
