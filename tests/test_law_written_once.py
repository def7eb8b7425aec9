"""No obligation is a copy of another that the schema could express once: the same duty of the
same instrument, with the same citation, roles and scope, repeated per designation (use
``assets.designations`` with each designation's ``covers``) or per year (use
``deadline.every: year``)."""

from __future__ import annotations

from collections import defaultdict

from dutybound.engine.loading import RulePack


def _key(item) -> tuple:  # type: ignore[no-untyped-def]
    ob = item.obligation
    scope = None
    if ob.assets is not None:
        # what a per-designation copy changes: the designation and the limits it brings
        rest = ob.assets.model_dump(
            exclude={"designation", "designations", "vendor_groups", "categories", "uses"}
        )
        scope = tuple(sorted((k, str(v)) for k, v in rest.items()))
    deadline = ob.deadline
    when = None
    if deadline is not None:
        # a per-year copy changes only the year of its date
        day = deadline.date.strftime("%m-%d") if deadline.date else None
        when = (deadline.every, deadline.days, deadline.after, deadline.calendar, day)
    cap = ob.cap.max_share if ob.cap else None
    # a per-year copy shifts its start by whole years
    start = ob.effective.from_.strftime("%m-%d")
    return (item.source, ob.kind, tuple(ob.roles), ob.citation, scope, when, cap, start)


def test_no_obligation_is_a_copy_the_schema_could_express_once(pack: RulePack) -> None:
    groups: dict[tuple, list[str]] = defaultdict(list)
    written = {}
    for item in pack.obligations:
        # the parts of one several-designation obligation are one obligation as written
        family = item.written_as or item.obligation.id
        if written.setdefault((item.source, family), item) is not item:
            continue
        groups[_key(item)].append(item.obligation.id)
    copies = {key[0]: ids for key, ids in groups.items() if len(ids) > 1}
    assert not copies, f"obligations that differ only by designation or year: {copies}"
