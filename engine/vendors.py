"""The vendor registry and the matcher: the only place where vendor names are compared.

Inventories say "HUAWEI TECHNOLOGIES CO., LTD." or "HiSilicon"; the law names groups. The registry
(data, with sources and membership dates) records each entity's relationship to a group; the law
module decides which relationships an instrument reaches. Matching is as of a date, because
membership changes (Honor left Huawei in November 2020).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine import vocabulary as vocab
from engine.errors import InputError
from engine.yamlfile import load_yaml

# Legal-form words that say nothing about who the vendor is.
_LEGAL_FORMS = {
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
    "gmbh", "ag", "sa", "sro", "as", "bv", "nv", "spa", "srl", "kk", "pte", "pty", "oy", "ab",
    "group", "holding", "holdings", "international", "intl",
}


def normalise(name: str) -> str:
    """Fold case, accents, punctuation and legal-form words: 'HUAWEI TECHNOLOGIES CO.,LTD' and
    'Huawei Technologies Co Ltd' both become 'huawei technologies'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    # "s.r.o." and "co.,ltd" lose their dots before tokenising so they fold into one word
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    tokens = [t for t in re.split(r"[^\w]+", text) if t]
    while tokens and tokens[-1] in _LEGAL_FORMS:
        tokens.pop()
    return " ".join(tokens)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entity(_Model):
    name: str
    relationship: str
    aliases: list[str] = Field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    source: str = Field(pattern=r"^https?://")
    verified: bool
    note: str | None = None


class Group(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    name_original: str | None = None
    entities: list[Entity] = Field(min_length=1)


class RegistryFile(_Model):
    groups: list[Group]


@dataclass(frozen=True, slots=True)
class VendorMatch:
    """How one vendor string was resolved, as of the evaluation date."""

    input: str
    group: str | None
    entity: str | None
    relationship: str | None
    score: float
    method: str
    needs_review: bool

    def to_json(self) -> dict[str, object]:
        return {
            "input": self.input, "group": self.group, "entity": self.entity,
            "relationship": self.relationship, "score": self.score, "method": self.method,
            "needs_review": self.needs_review,
        }


class Registry:
    """Vendor groups with their entities, indexed by normalised alias."""

    def __init__(self, groups: list[Group]) -> None:
        self.groups = {g.id: g for g in groups}
        self._aliases: dict[str, list[tuple[Group, Entity]]] = {}
        for group in groups:
            for entity in group.entities:
                for alias in {entity.name, *entity.aliases}:
                    key = normalise(alias)
                    if key:
                        self._aliases.setdefault(key, []).append((group, entity))
        # longest aliases first, so "huawei marine" wins over "huawei" in prefix matching
        self._prefixes = sorted(self._aliases, key=lambda k: (-len(k), k))

    @classmethod
    def load(cls, path: Path) -> Registry:
        doc = load_yaml(path)
        try:
            parsed = RegistryFile.model_validate(doc.data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(path, err["msg"], line=doc.line_of(err["loc"]),
                             field=".".join(str(p) for p in err["loc"])) from None
        for group in parsed.groups:
            for entity in group.entities:
                if entity.relationship not in vocab.RELATIONSHIPS:
                    raise InputError(path, f"unknown relationship {entity.relationship!r}",
                                     field=f"{group.id}.{entity.name}.relationship")
        return cls(parsed.groups)

    def match(self, vendor: str, as_of: dt.date) -> VendorMatch:
        key = normalise(vendor)
        if not key:
            return VendorMatch(vendor, None, None, None, 0.0, "empty", True)
        hits = self._aliases.get(key)
        method, score = "alias", 1.0
        if hits is None:
            prefix = next((p for p in self._prefixes if key.startswith(p + " ")), None)
            if prefix is not None:
                hits, method, score = self._aliases[prefix], "alias_prefix", 0.95
        if not hits:
            return VendorMatch(vendor, None, None, None, 0.0, "no_match", False)
        groups = {g.id for g, _ in hits}
        if len(groups) > 1:
            # one name shared by two groups: a person must decide
            return VendorMatch(vendor, None, None, None, 0.5, "ambiguous", True)
        group, entity = hits[0]
        if entity.since and as_of < entity.since:
            # not yet part of the group on that date: the law cannot reach it through the group
            return VendorMatch(vendor, None, entity.name, None, score, "not_yet_member", False)
        relationship = entity.relationship
        if entity.until and as_of >= entity.until:
            relationship = "former_member"
        return VendorMatch(vendor, group.id, entity.name, relationship, score, method, False)
