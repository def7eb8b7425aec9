"""The closed vocabularies of law data and inventories.

Both sides of a match must speak the same words: an obligation that says ``function: core`` only
catches assets whose ``function`` column says ``core``. Keeping the words here, in one place, lets
the loader reject a typo in a rule file or an inventory before it silently matches nothing.

The words the engine reasons with (an obligation's kind, an instrument's binding force) are
``StrEnum``s; the words that only travel from an inventory to a rule (categories, functions, ...)
stay sets of plain strings: they become durable-rules facts and the service's request schema, and
they have labels for people (``LABELS``).
"""

from __future__ import annotations

from enum import StrEnum

CATEGORIES: frozenset[str] = frozenset(
    {
        "telecom_equipment",
        "video_surveillance",
        "software",
        "security_software",
        "cloud_service",
        "semiconductor",
        "drone",
        "router",
        "iot",
        "it_hardware",
        "ot_control",
        "mobile_app",
        "ai_service",
        "telecom_service",
        "managed_service",
    }
)

FUNCTIONS: frozenset[str] = frozenset(
    {
        "core",
        "ran",
        "access_fttp",
        "access_other",
        "transmission",
        "management",
        "security_function",
        "physical_security",
        "office_it",
        "ot",
        "other",
    }
)

NETWORKS: frozenset[str] = frozenset(
    {"5g", "4g", "3g", "2g", "fttp", "fttc", "cable", "satellite", "enterprise", "other"}
)

USES: frozenset[str] = frozenset(
    {
        "public_safety",
        "government_facility_security",
        "critical_infrastructure_security",
        "national_security",
        "other",
    }
)

STATUSES: frozenset[str] = frozenset({"installed", "planned", "in_procurement", "decommissioned"})

# Facts about an asset that some exceptions in the law turn on. Inventories list them in the
# optional ``flags`` column, separated by ``;``.
FLAGS: frozenset[str] = frozenset(
    {
        # cannot route or redirect user data traffic or see user data (e.g. US s.889(a)(2)(B))
        "no_user_data_visibility",
        # a service connecting to a third party's facilities: backhaul, roaming, interconnection
        "third_party_interconnection",
        # a site the operator has been told is significant to national security
        "national_security_site",
        # equipment affected by US sanctions (UK DVD 2022 full-fibre requirement)
        "sanctions_affected",
        # part of a safety-related or safety-critical network in critical national infrastructure
        # (UK NCSC high-risk-vendor advice, 28 Jan 2020)
        "safety_critical_network",
        # on a government site the operator classes as sensitive (UK Cabinet Office definition:
        # holds SECRET material or above, many highly vetted officials, routinely used by
        # Ministers, or protected under SOCPA 2005; UK instruction of 24 Nov 2022)
        "sensitive_government_site",
        # transfers system or user data to, or is administered from, a given country
        "data_transfer_cn",
        "remote_admin_cn",
        # supplied under a federal contract / paid with federal award money
        "federal_contract_delivery",
        "federal_award_funded",
    }
)

# Asset attributes that obligations may test, and the vocabulary each must come from.
ASSET_FIELDS: dict[str, frozenset[str]] = {
    "category": CATEGORIES,
    "function": FUNCTIONS,
    "network": NETWORKS,
    "use": USES,
    "status": STATUSES,
}


class ObligationKind(StrEnum):
    """What an obligation asks of the operator, from the strongest measure to reporting duties
    (engine.compare ranks them for its cells)."""

    PROHIBITION = "prohibition"
    REMOVAL = "removal"
    CAP = "cap"
    RISK_ASSESSMENT = "risk_assessment"
    MEASURE = "measure"
    NOTIFICATION = "notification"
    REPORT = "report"
    DISCLOSURE = "disclosure"


INSTRUMENT_TYPES: frozenset[str] = frozenset(
    {
        "statute",
        "decree",
        "warning",
        "direction",
        "designation_notice",
        "executive_order",
        "regulation",
        "regulation_clause",
        "government_decision",
        "guidance",
        "policy",
        "contract",
        "directive",
        # law not yet made: listed on the watch list with its stage, never a finding
        "proposal",
    }
)


class Binding(StrEnum):
    """Whom an instrument binds, strongest first: law binds everyone it addresses, a contract
    its parties, guidance no one (it advises)."""

    LAW = "law"
    CONTRACT = "contract"
    GUIDANCE = "guidance"


# the instruments whose obligations a buyer must follow (a procurement verdict turns on these)
BINDS: frozenset[Binding] = frozenset({Binding.LAW, Binding.CONTRACT})

RELATIONSHIPS: frozenset[str] = frozenset(
    {"parent", "subsidiary", "affiliate", "brand", "former_member"}
)

# Words for explanations a compliance officer reads ("telecom equipment", not "telecom_equipment").
LABELS: dict[str, str] = {
    "telecom_equipment": "telecom equipment",
    "video_surveillance": "video-surveillance equipment",
    "software": "software",
    "security_software": "security software",
    "cloud_service": "cloud service",
    "semiconductor": "semiconductors",
    "drone": "drones",
    "router": "routers",
    "iot": "IoT devices",
    "it_hardware": "IT hardware",
    "ot_control": "OT control systems",
    "mobile_app": "mobile apps",
    "ai_service": "AI services",
    "telecom_service": "telecom services",
    "managed_service": "managed services",
    "core": "network core",
    "ran": "radio access network",
    "access_fttp": "full-fibre access",
    "access_other": "access network",
    "transmission": "transmission",
    "management": "network management",
    "security_function": "security functions",
    "physical_security": "physical security",
    "office_it": "office IT",
    "ot": "OT",
    "other": "other use",
    "5g": "5G",
    "4g": "4G",
    "3g": "3G",
    "2g": "2G",
    "fttp": "full-fibre",
    "fttc": "FTTC",
    "cable": "cable",
    "satellite": "satellite",
    "enterprise": "enterprise",
    "public_safety": "public safety",
    "government_facility_security": "security of government facilities",
    "critical_infrastructure_security": "physical security of critical infrastructure",
    "national_security": "national security",
    "installed": "installed",
    "planned": "planned",
    "in_procurement": "in procurement",
    "decommissioned": "decommissioned",
}


def label(word: str) -> str:
    return LABELS.get(word, word.replace("_", " "))


class Vocabulary(StrEnum):
    """The inventory columns whose values come from a closed vocabulary (``dutybound
    vocabulary`` lists them); ``flags`` holds several, separated by ``;``."""

    CATEGORY = "category"
    FUNCTION = "function"
    NETWORK = "network"
    USE = "use"
    STATUS = "status"
    FLAGS = "flags"


# What each word means, for the person filling in an inventory (``dutybound vocabulary``): the
# label says what it is called, the meaning when to choose it. A word may mean different things
# in different columns ("other"), hence one table per column. tests/test_first_run.py checks
# that every word of every vocabulary has one.
MEANINGS: dict[Vocabulary, dict[str, str]] = {
    Vocabulary.CATEGORY: {
        "telecom_equipment": "network equipment of a telecoms network: radio units, baseband, "
        "core network and transmission equipment",
        "video_surveillance": "CCTV cameras, video recorders and their management systems",
        "software": "software not chiefly for security: applications, operating systems, libraries",
        "security_software": "antivirus, endpoint protection, firewalls sold as software",
        "cloud_service": "hosted computing or storage bought as a service",
        "semiconductor": "chips and modules built into other equipment",
        "drone": "unmanned aircraft and their ground stations",
        "router": "routers and switches outside a telecoms network (enterprise, home, small "
        "office)",
        "iot": "connected devices: sensors, smart meters, modules with a network connection",
        "it_hardware": "computers, servers, storage, printers and other office hardware",
        "ot_control": "industrial control: PLCs, SCADA, DCS, inverters and their controllers",
        "mobile_app": "apps installed on phones or tablets",
        "ai_service": "AI models or services used through an interface or API",
        "telecom_service": "a telecoms service bought from another provider: connectivity, "
        "backhaul, roaming",
        "managed_service": "a system operated or administered for you by a provider",
    },
    Vocabulary.FUNCTION: {
        "core": "the network core: switching, subscriber data, control and user plane",
        "ran": "the radio access network: antennas, radio units, baseband",
        "access_fttp": "full-fibre (FTTP) access network equipment",
        "access_other": "other access network equipment (copper, cable, fixed wireless)",
        "transmission": "links between sites: microwave, optical transport, backhaul",
        "management": "systems that manage or monitor the network (OSS, network management)",
        "security_function": "equipment doing a security job: firewalls, gateways, "
        "lawful-intercept",
        "physical_security": "protecting premises: cameras, access control, alarms",
        "office_it": "the business's own office IT",
        "ot": "operational technology running a physical process",
        "other": "none of the above",
    },
    Vocabulary.NETWORK: {
        "5g": "5G mobile network",
        "4g": "4G (LTE) mobile network",
        "3g": "3G mobile network",
        "2g": "2G (GSM) mobile network",
        "fttp": "full-fibre fixed network",
        "fttc": "fibre-to-the-cabinet fixed network",
        "cable": "cable (DOCSIS) network",
        "satellite": "satellite network",
        "enterprise": "a company's own network, not a public one",
        "other": "another network",
    },
    Vocabulary.USE: {
        "public_safety": "used for public safety: emergency services, police",
        "government_facility_security": "securing government buildings and sites",
        "critical_infrastructure_security": "physical security of critical infrastructure",
        "national_security": "used for national-security purposes",
        "other": "another use",
    },
    Vocabulary.STATUS: {
        "installed": "in service now",
        "planned": "decided on, not yet bought",
        "in_procurement": "being bought: a tender or order is open",
        "decommissioned": "taken out of service (kept in the inventory for the record)",
    },
    Vocabulary.FLAGS: {
        "no_user_data_visibility": "cannot route or redirect user data traffic or see user data "
        "(e.g. US s.889(a)(2)(B))",
        "third_party_interconnection": "a service connecting to a third party's facilities: "
        "backhaul, roaming, interconnection",
        "national_security_site": "at a site the operator has been told is significant to "
        "national security",
        "sanctions_affected": "equipment affected by US sanctions (UK designated vendor "
        "direction, full-fibre requirement)",
        "safety_critical_network": "part of a safety-related or safety-critical network in "
        "critical national infrastructure (UK NCSC advice, 28 Jan 2020)",
        "sensitive_government_site": "on a government site classed as sensitive (UK Cabinet "
        "Office definition, instruction of 24 Nov 2022)",
        "data_transfer_cn": "transfers system or user data to China",
        "remote_admin_cn": "administered remotely from China",
        "federal_contract_delivery": "supplied under a US federal contract",
        "federal_award_funded": "paid for with US federal award (grant) money",
    },
}

# the words of each vocabulary by column (MEANINGS says what each means)
WORDS: dict[Vocabulary, frozenset[str]] = {
    Vocabulary.CATEGORY: CATEGORIES,
    Vocabulary.FUNCTION: FUNCTIONS,
    Vocabulary.NETWORK: NETWORKS,
    Vocabulary.USE: USES,
    Vocabulary.STATUS: STATUSES,
    Vocabulary.FLAGS: FLAGS,
}
