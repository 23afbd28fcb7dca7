"""The harvest and cooling facts (FSMA 204 KDEs, 21 CFR 1.1325 and 1.1330(a)) a receiving station
asks for when raw agricultural commodities come in from a farm, in the order it asks them.

Keys are the fields of the `origin` of a `stock.received` payload (lotscan.domain.events.Origin).
Cooling is optional (not every commodity is cooled before packing): Enter alone says "not cooled",
kept as an empty answer so the station does not ask again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lotscan.domain.control_characters import control_character_problem


@dataclass(frozen=True)
class HarvestFact:
    key: str
    label: str  # the input's label: short, for a 40-column handheld
    prompt: str
    required: bool = True
    is_date: bool = False


FACTS = (
    HarvestFact(
        "commodity_variety", "Commodity", "Commodity and variety (e.g. Romaine, Green Forest), Enter."
    ),
    HarvestFact("farm", "Farm", "Farm where it was harvested: party code or name, Enter."),
    HarvestFact("field_name", "Field", "Field or growing area it was harvested from, Enter."),
    HarvestFact("harvest_date", "Harvested", "Harvest date YYYY-MM-DD, Enter.", is_date=True),
    HarvestFact("harvester", "Harvester", "Harvester: party code, or business name and phone, Enter."),
    HarvestFact(
        "cooling_location",
        "Cooled at",
        "Where it was cooled (party code or name); Enter alone: not cooled.",
        required=False,
    ),
    HarvestFact(
        "cooling_date",
        "Cooled on",
        "Cooling date YYYY-MM-DD; Enter alone: not cooled.",
        required=False,
        is_date=True,
    ),
)
BY_KEY = {fact.key: fact for fact in FACTS}


def check_answer(key: str, value: str, today: date, given: dict[str, str]) -> str | None:
    """What is wrong with an answer (a sentence saying what to type), or None when it is fine."""
    fact = BY_KEY.get(key)
    if fact is None:
        return f"unknown harvest fact {key!r}; one of: {', '.join(BY_KEY)}"
    if not value:
        return None if not fact.required else f"{fact.label} is needed: type it, Enter"
    if (problem := control_character_problem(value, fact.label)) is not None:
        return problem
    if len(value) > 200:
        return f"{fact.label} is longer than 200 characters"
    if fact.is_date:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return f"'{value}' is not a date: type it as YYYY-MM-DD"
        if day > today:
            return f"{value} is in the future: type the day it was {fact.label.lower()}"
        harvested = given.get("harvest_date")
        if key == "cooling_date" and harvested and value < harvested:
            return f"cooled {value} before it was harvested ({harvested}): check the date"
    return None
