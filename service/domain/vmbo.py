"""The vocabulary of the partner register (domain.md §5): kinds of organisation, the ten vmbo profielen (which
ones are technical), the leerwegen, and the BRIN-vestigingsnummer. Codes are stored; labels are for people."""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTNER_KINDS: dict[str, str] = {
    "vmbo": "vmbo-school",
    "mbo": "mbo-instelling",
    "po": "basisschool",
    "pro": "praktijkonderwijs",
    "bedrijf": "bedrijf",
    "overig": "overige organisatie",
}
SCHOOL_KINDS = frozenset({"vmbo", "mbo", "po", "pro"})  # the kinds that have a BRIN-vestigingsnummer

TECHNISCH, INTERSECTORAAL, OVERIG = "technisch", "intersectoraal", "overig"


@dataclass(frozen=True)
class Profiel:
    code: str
    name: str
    abbreviation: str
    group: str  # technisch, intersectoraal (D&P: eligible under the wider scope since 2025), overig

    @property
    def technical(self) -> bool:
        return self.group == TECHNISCH


PROFIELEN: dict[str, Profiel] = {
    p.code: p
    for p in (
        Profiel("bwi", "Bouwen, Wonen en Interieur", "BWI", TECHNISCH),
        Profiel("pie", "Produceren, Installeren en Energie", "PIE", TECHNISCH),
        Profiel("mt", "Mobiliteit en Transport", "M&T", TECHNISCH),
        Profiel("mvi", "Media, Vormgeving en ICT", "MVI", TECHNISCH),
        Profiel("mat", "Maritiem en Techniek", "MaT", TECHNISCH),
        Profiel("dp", "Dienstverlening en Producten", "D&P", INTERSECTORAAL),
        Profiel("zw", "Zorg en Welzijn", "Z&W", OVERIG),
        Profiel("eo", "Economie en Ondernemen", "E&O", OVERIG),
        Profiel("hbr", "Horeca, Bakkerij en Recreatie", "HBR", OVERIG),
        Profiel("groen", "Groen", "Groen", OVERIG),
    )
}
LEERWEGEN: dict[str, str] = {
    "BB": "basisberoepsgericht",
    "KB": "kaderberoepsgericht",
    "GL": "gemengd",
    "TL": "theoretisch",
}
# A vmbo school takes part in Sterk Techniekonderwijs through its vocational tracks: at least one of these.
VOCATIONAL_LEERWEGEN = frozenset({"BB", "KB", "GL"})

STATUSES: dict[str, str] = {"kandidaat": "kandidaat", "actief": "actief", "vertrokken": "vertrokken"}

_BRIN = re.compile(r"^[0-9A-Z]{4}[0-9]{2}$")


def normalise_brin(text: str) -> str:
    """'12ab 01' and '12AB01' are the same number."""
    return re.sub(r"[\s.-]", "", text).upper()


def is_brin(text: str) -> bool:
    """A BRIN-vestigingsnummer: the institution's four characters and a two-digit branch, e.g. 12AB01."""
    return bool(_BRIN.match(text))


def has_technical_profiel(profielen: list[str]) -> bool:
    return any(PROFIELEN[code].technical for code in profielen if code in PROFIELEN)


def profiel_label(code: str) -> str:
    profiel = PROFIELEN.get(code)
    return f"{profiel.name} ({profiel.abbreviation})" if profiel else code
