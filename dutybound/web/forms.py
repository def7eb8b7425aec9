"""The profile form: its fields read into profile data, and the engine's verdict on that data
placed next to the field it is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from starlette.datastructures import FormData

from dutybound.engine.errors import InputError
from dutybound.engine.inputs import SECTORS
from dutybound.engine.loading import RulePack

# the form's fields, in the order they are shown; a problem of another field is shown above all
FIELDS = ("name", "jurisdictions", "sectors", "roles", "attributes")


@dataclass
class ProfileForm:
    """What the person entered, and each field's problem (empty when there is none)."""

    data: dict[str, Any]
    attributes_text: str
    errors: dict[str, str] = field(default_factory=dict)


def blank_form() -> ProfileForm:
    return ProfileForm({"name": "", "jurisdictions": [], "sectors": [], "roles": []}, "")


def form_of(data: dict[str, Any]) -> ProfileForm:
    """A stored profile's data as the form that edits it."""
    attributes = data.get("attributes") or {}
    text = yaml.safe_dump(attributes, sort_keys=True, allow_unicode=True) if attributes else ""
    return ProfileForm(dict(data), text)


def _strings(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def read_form(form: FormData) -> ProfileForm:
    """The posted form as profile data; an attributes box that is not a YAML mapping is that
    field's problem (the engine checks the rest)."""
    name = form.get("name")
    text = form.get("attributes")
    attributes_text = text if isinstance(text, str) else ""
    data: dict[str, Any] = {
        "name": name.strip() if isinstance(name, str) else "",
        "jurisdictions": _strings(form, "jurisdictions"),
        "sectors": _strings(form, "sectors"),
        "roles": _strings(form, "roles"),
    }
    result = ProfileForm(data, attributes_text)
    if attributes_text.strip():
        try:
            parsed = yaml.safe_load(attributes_text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            result.errors["attributes"] = f"not readable as 'name: value' lines{where}"
            return result
        if not isinstance(parsed, dict):
            result.errors["attributes"] = "write one 'name: value' per line"
            return result
        data["attributes"] = parsed
    return result


def field_of(error: InputError) -> str:
    """The form field an engine problem is about ('roles.1' is about roles; no field or an
    unknown one: the whole form, key '')."""
    head = (error.field or "").split(".")[0].split("[")[0]
    return head if head in FIELDS else ""


def validate(form: ProfileForm, pack: RulePack) -> None:
    """The engine's profile check (the CLI's and POST /profiles'), its problem noted by field;
    the name is required here before the engine sees it, as the API's model requires it."""
    from dutybound.engine.inputs import check_profile

    if form.errors:
        return
    if not form.data["name"]:
        form.errors["name"] = "give the operator's name"
        return
    if not form.data["jurisdictions"]:
        form.errors["jurisdictions"] = "choose at least one jurisdiction"
        return
    try:
        check_profile(form.data, pack, "profile")
    except InputError as error:
        form.errors[field_of(error)] = error.message


def role_choices(pack: RulePack) -> list[dict[str, Any]]:
    """Every jurisdiction with the roles its law defines (title, citation), for the form; the
    form shows all of them and its script hides those of jurisdictions not chosen."""
    rows = []
    for code, info in sorted(pack.jurisdictions.items()):
        prefix = code.lower() + "."
        roles = [
            {"id": r.id, "title": r.title, "citation": r.citation, "verified": r.verified}
            for r in sorted(pack.roles.values(), key=lambda r: r.id)
            if r.id.startswith(prefix)
        ]
        rows.append({"code": code, "name": info.name, "roles": roles})
    return rows


def sector_choices() -> list[str]:
    return sorted(SECTORS)
