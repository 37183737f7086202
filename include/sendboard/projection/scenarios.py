"""The council's scenarios, `projection_scenarios.csv` (a dbt seed: the file the council edits, read
here as it is), as changes to the baseline the flows model applies (flows.Change)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sendboard import config, periods
from sendboard.errors import ProjectionInputError
from sendboard.projection import inputs
from sendboard.projection.categories import CATEGORIES
from sendboard.projection.flows import Change

SEED = config.PROJECT_ROOT / "dbt" / "seeds" / "projection_scenarios.csv"
KINDS = ("new_plans", "move_places")
CATEGORY_INDEX = {key: i for i, (key, _) in enumerate(CATEGORIES)}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    kind: str
    from_month: str
    percent: float = 0.0
    places: int = 0
    from_category: str = ""
    to_category: str = ""

    def change(self, origin: str) -> Change:
        """The change as the flows model takes it: from the projected month it starts in (a month at or
        before the origin starts with the projection)."""
        start = max(periods.months_between(origin, self.from_month), 1)
        if self.kind == "new_plans":
            return Change(start=start, arrivals_factor=1 + self.percent / 100)
        return Change(start, places=self.places, from_category=CATEGORY_INDEX[self.from_category],
                      to_category=CATEGORY_INDEX[self.to_category])  # fmt: skip


def read_scenarios(path: Path = SEED) -> list[Scenario]:
    """Refuses a row that names no scenario or names one twice, an unknown kind or category, a month
    that is not YYYY-MM, a percentage that would make new plans negative, or places that are not a
    whole number of 1 or more."""
    found: list[Scenario] = []
    columns = ("scenario", "description", "kind", "from_month", "percent", "places", "from_category", "to_category")
    for row_number, row in inputs.rows(path, columns):
        name = (row["scenario"] or "").strip()
        where = f"{path}, row {row_number}, scenario {name!r}"
        if not name or name == "baseline" or name in {s.name for s in found}:
            raise ProjectionInputError(f"{where}: each scenario needs a name of its own (not 'baseline')")
        kind = (row["kind"] or "").strip()
        if kind not in KINDS:
            raise ProjectionInputError(f"{where}: kind is not one of {', '.join(KINDS)}")
        month = (row["from_month"] or "").strip()
        try:
            periods.parse(month)
        except ValueError:
            raise ProjectionInputError(f"{where}: from_month {month!r} is not YYYY-MM") from None
        scenario = Scenario(name, (row["description"] or "").strip(), kind, month)
        if kind == "new_plans":
            percent = inputs.number(row["percent"], "percent", where)
            if percent <= -100:
                raise ProjectionInputError(f"{where}: percent must be more than -100")
            scenario = Scenario(name, scenario.description, kind, month, percent=percent)
        else:
            places = (row["places"] or "").strip()
            if not places.isdigit() or int(places) < 1:
                raise ProjectionInputError(f"{where}: places must be a whole number of 1 or more")
            ends = [(row[c] or "").strip() for c in ("from_category", "to_category")]
            if any(e not in CATEGORY_INDEX for e in ends) or ends[0] == ends[1]:
                raise ProjectionInputError(f"{where}: from_category and to_category must be two DSG categories")
            scenario = Scenario(name, scenario.description, kind, month, places=int(places),
                                from_category=ends[0], to_category=ends[1])  # fmt: skip
        found.append(scenario)
    return found
