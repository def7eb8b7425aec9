"""The words an evaluation concludes with: a finding's status, a waiver's standing, a procurement
verdict, where a held role comes from, why an asset needs review, how a vendor name was matched.

Each is a closed vocabulary that the JSON output, the reports and the exit codes depend on, so
each is defined once, here, as a ``StrEnum``: a member *is* its string (it compares, hashes,
formats and serialises as the word itself), so JSON written with ``json`` or ``orjson`` is the
same as when these were bare strings. One rule keeps it so: a member must not be a *key* of a
dict that is serialised, because orjson accepts only exact ``str`` keys; use ``.value`` there.

Where the order of members matters (worst first), the declaration order is that order.
"""

from __future__ import annotations

from enum import StrEnum


class FindingStatus(StrEnum):
    """Where an obligation stands for the operator on the evaluation date, worst first."""

    OVERDUE = "overdue"
    DUE = "due"
    IN_FORCE = "in_force"
    # the obligation binds (it would be overdue, due or in force), but waivers in effect cover
    # every asset of the finding (engine.waivers)
    WAIVED = "waived"
    UPCOMING = "upcoming"
    ENDED = "ended"


# The statuses under which an obligation binds the operator on the date: only these can be
# waived, give a procurement verdict, or fill a comparison cell.
APPLYING: frozenset[FindingStatus] = frozenset(
    {FindingStatus.OVERDUE, FindingStatus.DUE, FindingStatus.IN_FORCE}
)


class Standing(StrEnum):
    """A waiver record's standing on a date (engine.waivers)."""

    IN_EFFECT = "in_effect"
    NOT_YET_IN_EFFECT = "not_yet_in_effect"
    EXPIRED = "expired"
    # well formed, but the law did not allow it (dates outside its basis): it waives nothing
    REFUSED = "refused"


class Verdict(StrEnum):
    """May this buyer buy this item on this date (engine.verdict), worst first: the worst item
    decides a whole bid."""

    PROHIBITED = "prohibited"
    REVIEW = "review"
    CONDITIONAL = "conditional"
    ALLOWED = "allowed"


class RoleSource(StrEnum):
    """Why the operator holds a role (engine.roles)."""

    DECLARED = "declared"
    DERIVED = "derived"
    # assumed for a what-if question, not declared by the profile
    HYPOTHETICAL = "hypothetical"


class ReviewReason(StrEnum):
    """Why an asset needs a person's look before the result can be relied on."""

    VENDOR_MATCH = "vendor_match"
    MODEL_PATTERN = "model_pattern"
    MISSING_FACT = "missing_fact"


class MatchMethod(StrEnum):
    """How the registry resolved a vendor name (engine.vendors)."""

    ALIAS = "alias"
    ALIAS_PREFIX = "alias_prefix"
    ALIAS_TOKEN = "alias_token"
    FUZZY_TOKEN = "fuzzy_token"
    AMBIGUOUS = "ambiguous"
    ORIGIN_HINT = "origin_hint"
    NOT_YET_MEMBER = "not_yet_member"
    NO_MATCH = "no_match"
    EMPTY = "empty"
