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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from opencc_purepy import OpenCC
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import process
from rapidfuzz.distance import OSA

from dutybound.engine import vocabulary as vocab
from dutybound.engine.errors import InputError
from dutybound.engine.outcomes import MatchMethod
from dutybound.engine.yamlfile import load_yaml

# Legal-form words that say nothing about who the vendor is.
_LEGAL_FORMS = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sro",
    "as",
    "bv",
    "nv",
    "spa",
    "srl",
    "kk",
    "pte",
    "pty",
    "oy",
    "ab",
    "group",
    "holding",
    "holdings",
    "international",
    "intl",
}


_T2S = OpenCC("t2s")  # traditional -> simplified Chinese (華為 -> 华为)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _fold(name: str) -> str:
    """Full-width forms, traditional script, case, accents and punctuation folded; legal forms
    kept ('Ｈｕａｗｅｉ' and 'huawei' fold alike, '華為' and '华为' too)."""
    text = name
    # most inventory names are plain ASCII, where both Unicode normalisations change nothing:
    # skipping them halves the cost of a name the matcher has not seen
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _CJK.search(text):
            text = _T2S.convert(text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = text.replace("&", " and ")
    # "s.r.o." and "co.,ltd" lose their dots before tokenising so they fold into one word
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    return " ".join(t for t in re.split(r"[^\w]+", text) if t)


def normalise(name: str) -> str:
    """Fold case, accents, punctuation, script and legal-form words: 'HUAWEI TECHNOLOGIES CO.,LTD'
    and 'Huawei Technologies Co Ltd' both become 'huawei technologies'."""
    tokens = _fold(name).split()
    while tokens and tokens[-1] in _LEGAL_FORMS:
        tokens.pop()
    return " ".join(tokens)


# Words network tools drop when they abbreviate a vendor to a short label (Wireshark's manuf
# gives "HikvisionDig" for "Hangzhou Hikvision Digital Technology Co.,Ltd.").
_SHORT_NAME_DROPS = {"hangzhou", "chengdu", "shenzhen"}
SHORT_NAME_LENGTH = 12  # Wireshark's manuf short names are at most 12 characters


def short_names(name: str) -> set[str]:
    """The short labels a network tool may give a vendor: its words joined and cut to 12
    characters, with and without a leading city ('huaweitechno', 'hikvisiondig'), and with and
    without its legal-form words, since the tool cuts the registered name as it stands
    ('Norsat International Inc.' gives 'norsatintern')."""
    forms: set[str] = set()
    for words in (normalise(name).split(), _fold(name).split()):
        if len(words) < 2:
            continue
        forms.add("".join(words)[:SHORT_NAME_LENGTH])
        if words[0] in _SHORT_NAME_DROPS and len(words) > 2:
            forms.add("".join(words[1:])[:SHORT_NAME_LENGTH])
    return {f for f in forms if len(f) >= 6}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entity(_Model):
    name: str
    relationship: str
    aliases: list[str] = Field(default_factory=list)
    # aliases that are also ordinary words or other firms' names ("Honor"): matched only when
    # they are the whole name, never inside a longer one or by spelling similarity
    exact_only: list[str] = Field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    source: str = Field(pattern=r"^https?://")
    verified: bool
    note: str | None = None


class ModelPattern(_Model):
    """A model-number prefix known to belong to a group (e.g. Hikvision 'DS-')."""

    prefix: str = Field(min_length=2)
    source: str = Field(pattern=r"^https?://")
    verified: bool
    note: str | None = None


class Group(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    name_original: str | None = None
    entities: list[Entity] = Field(min_length=1)
    model_patterns: list[ModelPattern] = Field(default_factory=list)


class ReviewHint(_Model):
    """A word in a vendor name that puts an unmatched vendor up for review (e.g. a PRC city:
    several rules turn on where a company is based, not on its brand)."""

    word: str = Field(min_length=3)
    reason: str


class NotAGroup(_Model):
    """A name that looks like a group's but is another company's ('Huawei-3Com', now H3C;
    'Shanghai Dahua Scale Factory'): neither matched nor put up for review, whole or as the
    beginning of a longer name. Compared with legal-form words kept ('Pacnet Limited')."""

    name: str
    reason: str
    source: str = Field(pattern=r"^https?://")


class Relabeller(_Model):
    """A brand documented as selling a group's equipment under its own label (Amcrest, Dahua;
    LTS, Hikvision). Its equipment may be the group's, or may not: a name of the brand is never
    matched to the group and never passed silently, it is put up for review with the source.
    `period` says in the source's own words when the relabelling is reported ("until April
    2021"), because the sources give months or years, not days."""

    brand: str
    group: str
    # the names the brand's equipment and company go by; matched as the whole name or its
    # beginning, and a one-word name of 5 letters or more also as a word inside a longer name
    names: list[str] = Field(min_length=1)
    period: str | None = None
    source: str = Field(pattern=r"^https?://")
    verified: bool
    note: str | None = None


class RegistryFile(_Model):
    groups: list[Group]
    review_hints: list[ReviewHint] = Field(default_factory=list)
    not_groups: list[NotAGroup] = Field(default_factory=list)
    relabellers: list[Relabeller] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VendorMatch:
    """How one vendor string was resolved, as of the evaluation date."""

    input: str
    group: str | None
    entity: str | None
    relationship: str | None
    score: float
    method: MatchMethod
    needs_review: bool
    note: str | None = None  # e.g. why an origin hint put the name up for review
    left: str | None = None  # a former member: "Huawei on 2020-11-17"

    def reason(self) -> str:
        """Why the matcher decided this, in words."""
        return {
            MatchMethod.ALIAS: f"the whole name is a registry name of {self.entity}",
            MatchMethod.ALIAS_PREFIX: f"the name begins with a registry name of {self.entity}",
            MatchMethod.ALIAS_TOKEN: f"the name contains a word that identifies {self.entity}",
            MatchMethod.FUZZY_TOKEN: f"a word is one letter away from a name of {self.entity}: "
            "a typo, or a different company",
            MatchMethod.AMBIGUOUS: "the name belongs to more than one group in the registry",
            MatchMethod.ORIGIN_HINT: f"no covered group matches, but {self.note}",
            MatchMethod.NOT_YET_MEMBER: f"{self.entity} was not yet part of the group on that date",
            MatchMethod.NO_MATCH: "no registry name or alias matches"
            + (f" ({self.note})" if self.note else ""),
            MatchMethod.EMPTY: "no vendor name given",
            MatchMethod.DECISION: self.note or "a recorded decision",
            MatchMethod.RELABELLER: self.note or "possibly another maker's equipment",
        }[self.method] + self._left()

    def _left(self) -> str:
        """A former member's note: the law decides whether it still reaches the entity."""
        if self.relationship != "former_member":
            return ""
        if self.left:
            return f"; it left {self.left}: review whether the law reaches former members"
        return "; it left the group (date not recorded): review whether the law reaches it"

    def to_json(self) -> dict[str, object]:
        return {
            "input": self.input,
            "group": self.group,
            "entity": self.entity,
            "relationship": self.relationship,
            "score": self.score,
            "method": self.method,
            "needs_review": self.needs_review,
            "reason": self.reason(),
        }


# Words too common in company names to identify a vendor on their own.
_GENERIC_TOKENS = {
    "technologies",
    "technology",
    "tech",
    "digital",
    "communications",
    "communication",
    "systems",
    "system",
    "network",
    "networks",
    "security",
    "electronics",
    "electronic",
    "solutions",
    "services",
    "service",
    "device",
    "devices",
    "investment",
    "china",
    "shenzhen",
    "hangzhou",
    "zhejiang",
    "beijing",
    "shanghai",
    "america",
    "americas",
    "usa",
    "operations",
    "telecom",
    "telecommunications",
    "mobile",
    "cloud",
    "labs",
    "lab",
    "research",
}
# review hints that are PRC place names: they count only as the first word of a name
_CITY_HINTS = {
    "shenzhen",
    "hangzhou",
    "beijing",
    "shanghai",
    "guangzhou",
    "zhejiang",
    "wuhan",
    "chengdu",
    "dongguan",
    "xiamen",
}
FUZZY_MIN_LENGTH = 5  # shorter names (ZTE, DJI) are matched exactly or not at all
# A Chinese name is one run of characters without spaces ("海能达通信(香港)有限公司"), so a
# registry name in Chinese is looked for at its beginning; two-character names (华为, 大华) are
# too short for that (大华银行 is a bank), three or more (海能达, 海康威视) are not.
CJK_PREFIX_MIN = 3
RELABELLER_SCORE = 0.5  # a relabeller's name says "maybe the group's equipment": always review
# A registry word this short is one letter away from many other firms' names (Autel: Antel,
# Axtel; Lorex: Lorax; Huawei: Huawen): a near-miss on it counts only when the name's other
# words are common words or the group's own ("Dahau Technology"), not another firm's ("Lorax
# Compost Systems", "Antel Uruguay").
FUZZY_SHORT_WORD = 6
REVIEW_BELOW = 0.9  # matches scored below this are flagged needs_review, never applied silently
FIND_CACHE_SIZE = 10_000  # remembered name lookups per registry (cleared when full)


class Registry:
    """Vendor groups with their entities, and the matcher that resolves inventory names.

    Methods, strongest first (each says how sure it is):
      alias        the whole normalised name is a registry name or alias          1.0
      alias_prefix a registry name followed by more words ("ZTE USA Inc")         0.95
      alias_token  a distinctive registry word inside the name ("Shenzhen Huawei") 0.9
      fuzzy_token  one edit away from a distinctive word ("Huawai", "Hikvison")  0.8 (review)
    Names shared by two groups are 'ambiguous' (review). Anything else is 'no_match'.
    """

    def __init__(
        self,
        groups: list[Group],
        hints: list[ReviewHint] | None = None,
        not_groups: list[NotAGroup] | None = None,
        relabellers: list[Relabeller] | None = None,
    ) -> None:
        self.groups = {g.id: g for g in groups}
        self.relabellers = list(relabellers or [])
        # a relabeller's names by normalised form, and a network tool's short label too
        # ("AmcrestTechn" for "Amcrest Technologies"); looked up by the name's leading words, so
        # that the check costs a few dictionary lookups per name, not a scan of every brand
        self._relabel_forms: dict[str, Relabeller] = {
            form: r
            for r in self.relabellers
            for name in r.names
            for form in {normalise(name), *short_names(name)}
            if form
        }
        # one-word names long enough to count anywhere in a longer name ("Annke" in "Foo Annke")
        self._relabel_words = {
            form: r
            for form, r in self._relabel_forms.items()
            if " " not in form and len(form) >= FUZZY_MIN_LENGTH
        }
        self._hints = {normalise(h.word): h.reason for h in hints or []}
        self._not_groups = sorted(
            ((_fold(n.name), n.reason) for n in not_groups or []), key=lambda nr: -len(nr[0])
        )
        self._aliases: dict[str, list[tuple[Group, Entity]]] = {}
        self._exact_only: set[str] = set()
        tokens: dict[str, list[tuple[Group, Entity]]] = {}
        for group in groups:
            for entity in group.entities:
                for alias in {entity.name, *entity.aliases, *entity.exact_only}:
                    key = normalise(alias)
                    if not key:
                        continue
                    self._aliases.setdefault(key, []).append((group, entity))
                    for short in short_names(alias):
                        if short not in self._aliases:
                            self._aliases[short] = [(group, entity)]
                            self._exact_only.add(short)
                    if alias in entity.exact_only:
                        self._exact_only.add(key)
                        continue
                    for token in key.split():
                        if len(token) >= FUZZY_MIN_LENGTH and token not in _GENERIC_TOKENS:
                            tokens.setdefault(token, []).append((group, entity))
        # longest aliases first, so "huawei marine" wins over "huawei" in prefix matching; an
        # exact-only name of several words ("china unicom americas operations") may still begin
        # a longer name, but a single common word ("honor") may not
        self._prefixes = sorted(
            (k for k in self._aliases if k not in self._exact_only or " " in k),
            key=lambda k: (-len(k), k),
        )
        # Chinese names that may begin a longer Chinese name (海能达 in 海能达通信(香港)有限公司)
        self._cjk_prefixes = sorted(
            (
                k
                for k in self._aliases
                if k not in self._exact_only
                and " " not in k
                and len(k) >= CJK_PREFIX_MIN
                and all(_CJK.match(ch) for ch in k)
            ),
            key=lambda k: (-len(k), k),
        )
        # a distinctive token names the group only if every entity using it is in one group
        self._tokens = {t: hits for t, hits in tokens.items() if len({g.id for g, _ in hits}) == 1}
        self._token_list = sorted(self._tokens)
        # every word of every name of a group: what may stand beside a short near-miss
        self._group_words: dict[str, set[str]] = {}
        for key, hits in self._aliases.items():
            for group, _ in hits:
                self._group_words.setdefault(group.id, set()).update(key.split())
        self._patterns = sorted(
            ((p.prefix.upper(), g) for g in groups for p in g.model_patterns),
            key=lambda pg: -len(pg[0]),
        )
        # _find's answers by normalised name: a service resolves the same few names again and
        # again, and a name not in the registry costs a scan of every prefix and a fuzzy search
        self._found: dict[str, tuple[list[tuple[Group, Entity]], MatchMethod, float] | None] = {}
        # the relabeller check's answers by normalised name, for the same reason
        self._relabelled: dict[str, str | None] = {}

    @classmethod
    def load(cls, path: Path) -> Registry:
        doc = load_yaml(path)
        try:
            parsed = RegistryFile.model_validate(doc.data)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(
                path,
                err["msg"],
                line=doc.line_of(err["loc"]),
                field=".".join(str(p) for p in err["loc"]),
            ) from None
        for gi, group in enumerate(parsed.groups):
            for ei, entity in enumerate(group.entities):
                if entity.relationship not in vocab.RELATIONSHIPS:
                    loc = ("groups", gi, "entities", ei, "relationship")
                    raise InputError(
                        path,
                        f"unknown relationship {entity.relationship!r}",
                        line=doc.line_of(loc),
                        field=".".join(map(str, loc)),
                    )
        registry = cls(parsed.groups, parsed.review_hints, parsed.not_groups, parsed.relabellers)
        registry._check_relabellers(path, doc.line_of)
        return registry

    def _check_relabellers(
        self, path: Path, line_of: Callable[[Sequence[str | int]], int | None]
    ) -> None:
        """A relabeller names a group of the registry, and none of its names is a name of a
        group: the same name cannot be both the group's and possibly another maker's."""
        for ri, relabeller in enumerate(self.relabellers):
            if relabeller.group not in self.groups:
                loc: tuple[str | int, ...] = ("relabellers", ri, "group")
                raise InputError(
                    path,
                    f"unknown vendor group {relabeller.group!r} (known: "
                    f"{', '.join(sorted(self.groups))})",
                    line=line_of(loc),
                    field=".".join(map(str, loc)),
                )
            for ni, name in enumerate(relabeller.names):
                hits = self._aliases.get(normalise(name))
                if hits:
                    loc = ("relabellers", ri, "names", ni)
                    raise InputError(
                        path,
                        f"{name!r} is also a registry name of {hits[0][1].name} "
                        f"({hits[0][0].id}); a name is either a group's or a relabeller's",
                        line=line_of(loc),
                        field=".".join(map(str, loc)),
                    )

    def _find(self, key: str) -> tuple[list[tuple[Group, Entity]], MatchMethod, float] | None:
        if key in self._found:
            return self._found[key]
        if len(self._found) >= FIND_CACHE_SIZE:
            self._found.clear()
        found = self._found[key] = self._search(key)
        return found

    def _search(self, key: str) -> tuple[list[tuple[Group, Entity]], MatchMethod, float] | None:
        hits = self._aliases.get(key)
        if hits:
            return hits, MatchMethod.ALIAS, 1.0
        prefix = next((p for p in self._prefixes if key.startswith(p + " ")), None)
        if prefix is not None:
            return self._aliases[prefix], MatchMethod.ALIAS_PREFIX, 0.95
        words = key.split()
        if _CJK.match(key):
            cjk = next((p for p in self._cjk_prefixes if words[0].startswith(p)), None)
            if cjk is not None:
                return self._aliases[cjk], MatchMethod.ALIAS_PREFIX, 0.95
        for word in words:
            if word in self._tokens:
                return self._tokens[word], MatchMethod.ALIAS_TOKEN, 0.9
        for word in words:
            if len(word) < FUZZY_MIN_LENGTH or word in _GENERIC_TOKENS:
                continue
            near = process.extractOne(word, self._token_list, scorer=OSA.distance, score_cutoff=1)
            if near is None:
                continue
            hits = self._tokens[near[0]]
            if len(near[0]) <= FUZZY_SHORT_WORD:
                own = self._group_words[hits[0][0].id]
                if any(w != word and w not in _GENERIC_TOKENS and w not in own for w in words):
                    continue
            return hits, MatchMethod.FUZZY_TOKEN, 0.8
        return None

    def match(self, vendor: str, as_of: dt.date) -> VendorMatch:
        """Resolve one vendor name as of a date (membership changes over time)."""
        key = normalise(vendor)
        if not key:
            return VendorMatch(vendor, None, None, None, 0.0, MatchMethod.EMPTY, True)
        folded = _fold(vendor)
        other = next(
            (r for n, r in self._not_groups if folded == n or folded.startswith(n + " ")), None
        )
        if other is not None:
            return VendorMatch(vendor, None, None, None, 0.0, MatchMethod.NO_MATCH, False, other)
        if key in self._relabelled:
            relabelled = self._relabelled[key]
        else:
            if len(self._relabelled) >= FIND_CACHE_SIZE:
                self._relabelled.clear()
            relabelled = self._relabelled[key] = self._relabeller(key)
        if relabelled is not None:
            return VendorMatch(
                vendor,
                None,
                None,
                None,
                RELABELLER_SCORE,
                MatchMethod.RELABELLER,
                True,
                relabelled,
            )
        found = self._find(key)
        if found is None:
            # a PRC city word counts where it begins the name ("Shenzhen X Co."), not inside
            # another firm's name ("Lenovo (Beijing)", "Nokia Shanghai Bell")
            words = key.split()
            hint = next(
                (
                    self._hints[w]
                    for i, w in enumerate(words)
                    if w in self._hints and (i == 0 or w not in _CITY_HINTS)
                ),
                None,
            )
            if hint is not None:
                return VendorMatch(
                    vendor, None, None, None, 0.3, MatchMethod.ORIGIN_HINT, True, hint
                )
            return VendorMatch(vendor, None, None, None, 0.0, MatchMethod.NO_MATCH, False)
        hits, method, score = found
        if len({g.id for g, _ in hits}) > 1:
            # one name shared by two groups: a person must decide
            return VendorMatch(vendor, None, None, None, 0.5, MatchMethod.AMBIGUOUS, True)
        group, entity = hits[0]
        if entity.since and as_of < entity.since:
            # not yet part of the group on that date: the law cannot reach it through the group
            return VendorMatch(
                vendor, None, entity.name, None, score, MatchMethod.NOT_YET_MEMBER, False
            )
        relationship = entity.relationship
        left = None
        if entity.until and as_of >= entity.until:
            relationship = "former_member"
            left = f"{group.name} on {entity.until.isoformat()}"
        return VendorMatch(
            vendor,
            group.id,
            entity.name,
            relationship,
            score,
            method,
            score < REVIEW_BELOW,
            left=left,
        )

    def _relabeller(self, key: str) -> str | None:
        """The review reason when the name is a relabeller's ('possible relabelled Dahua
        equipment (Amcrest; source ...)'), else None."""
        words = key.split()
        # the whole name, then its longest beginning, then a distinctive word anywhere
        r = next(
            (
                found
                for n in range(len(words), 0, -1)
                if (found := self._relabel_forms.get(" ".join(words[:n]))) is not None
            ),
            None,
        ) or next((self._relabel_words[w] for w in words if w in self._relabel_words), None)
        if r is None:
            return None
        period = f", {r.period}" if r.period else ""
        unverified = "" if r.verified else ", unverified"
        group = self.groups.get(r.group)
        return (
            f"possible relabelled {group.name if group else r.group} equipment "
            f"({r.brand}{period}; source {r.source}{unverified}): check the maker of record"
        )

    def model_group(self, model: str) -> str | None:
        """The group whose known model-number prefix this model carries, if any."""
        text = model.strip().upper()
        return next((g.id for prefix, g in self._patterns if text.startswith(prefix)), None)
