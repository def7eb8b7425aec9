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
    # the duty was done: attestations (engine.attestations) cover every asset of the finding, or
    # the operator's own duty
    FULFILLED = "fulfilled"
    # guidance whose target date has passed: advice is never "overdue" (it binds no one)
    PAST_TARGET = "past_target"
    UPCOMING = "upcoming"
    ENDED = "ended"


# The statuses under which an obligation binds the operator on the date: only these can be
# waived, give a procurement verdict, or fill a comparison cell.
APPLYING: frozenset[FindingStatus] = frozenset(
    {FindingStatus.OVERDUE, FindingStatus.DUE, FindingStatus.IN_FORCE}
)


class Position(StrEnum):
    """Where the operator stands against one finding (engine.positions), worst first: the status
    says where the law is on the date, the position what the operator's own inventory and records
    show about it."""

    # the inventory shows the law broken: a prohibition in force reaching installed, planned or
    # procured assets; a removal or cap deadline passed with the assets still there
    BREACH = "breach"
    # the duty binds now and nothing records that it was done
    ACTION_REQUIRED = "action_required"
    # adopted law that takes effect later: time to prepare
    PREPARE = "prepare"
    # guidance: advice to weigh, never a breach
    ADVICE = "advice"
    WAIVED = "waived"
    # an attestation records the duty as done
    FULFILLED = "fulfilled"
    # the inventory meets the duty (a cap within its share)
    COMPLIANT = "compliant"
    # the obligation ended before the date (listed only with --include-ended)
    CLOSED = "closed"


class NoticeCode(StrEnum):
    """What a notice is about (engine.notices). A notice qualifies the whole evaluation: read it
    before relying on the findings."""

    # the profile holds no role in any of its jurisdictions: no obligation can reach it
    NO_ROLES = "no_roles"
    # a declared role whose defining law ended on or before the date
    ROLE_LAPSED = "role_lapsed"
    # a declared role whose defining law was not yet adopted or in force on the date
    ROLE_NOT_YET = "role_not_yet"
    # the profile lists a jurisdiction in which it holds no role
    JURISDICTION_WITHOUT_ROLE = "jurisdiction_without_role"
    # roles assumed for a what-if question
    HYPOTHETICAL_ROLES = "hypothetical_roles"
    # a decision under a power assumed for a what-if question (--assume-designation)
    HYPOTHETICAL_DESIGNATION = "hypothetical_designation"
    # the production evaluator could not be loaded; the reference evaluator answered
    EVALUATOR_FALLBACK = "evaluator_fallback"
    # the date is later than the day the rule pack's law was encoded
    LAW_OUT_OF_DATE = "law_out_of_date"
    WAIVER_OTHER_OPERATOR = "waiver_other_operator"
    WAIVER_REFUSED = "waiver_refused"
    WAIVER_UNUSED = "waiver_unused"
    ATTESTATION_OTHER_OPERATOR = "attestation_other_operator"
    ATTESTATION_REFUSED = "attestation_refused"
    # components of a CycloneDX BOM left out because none names its supplier or vendor
    COMPONENTS_WITHOUT_VENDOR = "components_without_vendor"


class UnaffectedReason(StrEnum):
    """Why no finding covers an asset of a designated vendor in one jurisdiction
    (engine.unaffected), in the order the section lists them (engine.explain decides which
    test of a rule is reported first)."""

    # no obligation of the jurisdiction reaches this vendor group, or this relationship to it
    VENDOR_NOT_REACHED = "vendor_not_reached"
    # the obligations that reach the vendor address roles the operator does not hold
    ROLE_NOT_HELD = "role_not_held"
    # the obligations were not yet adopted, not yet in effect, or ended on the date
    OUTSIDE_WINDOW = "outside_window"
    # category, function, network, use, status, country or origin outside every rule's scope
    OUTSIDE_SCOPE = "outside_scope"
    # a fact the rule turns on is stated false, or an exception flag is set
    FACT_EXCLUDES = "fact_excludes"
    # a fact the rule turns on is not stated: the asset is in the review list
    FACT_UNKNOWN = "fact_unknown"


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
    # the vendor comes from (or is disputed by) the asset's MAC address (engine.macs)
    MAC_OUI = "mac_oui"
    # a person's recorded answer for this name (engine.vendor_decisions)
    DECISION = "decision"
    # a brand documented as selling a group's equipment under its own label (engine.vendors)
    RELABELLER = "relabeller"
