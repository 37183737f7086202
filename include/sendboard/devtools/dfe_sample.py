"""A synthetic DfE release and statistical neighbours workbook for the sample inbox, so that `make run`
shows the board's comparators without the real files (which a council downloads itself).

The files have the real ones' names, sheets, columns and conventions (a UTF-8 BOM, quoted LA names with
commas, `x`, `c` and `low` for no value) but synthetic local authorities and figures. One of them is
the sample's own LA, SAMPLE_LA_CODE ("Sample County"): its 20-week timeliness and 6-week decisions are
counted from the sample's own records, by the DfE's definitions (plans issued in the calendar year;
requests received in it), so the pack's December check finds them in agreement.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import numpy as np

from sendboard import periods
from sendboard.devtools.world import World, _days
from sendboard.ingest import dfe

SAMPLE_LA_CODE = "990"
SAMPLE_LA_NAME = "Sample County"
REGIONS = {
    "E12000901": "Sample North",
    "E12000902": "Sample South",
}
# (code, name, region): synthetic authorities; codes above the DfE's real ones
AUTHORITIES = [
    (SAMPLE_LA_CODE, SAMPLE_LA_NAME, "E12000901"),
    *[(str(970 + i), name, "E12000901" if i < 8 else "E12000902") for i, name in enumerate((
        "Ashdown", "Brackenfield", "Kingsbridge, City of", "Dunmere", "Eastwold", "Fallowmead", "Greystoke Vale",
        "Hartside", "Ivybridge and Moor", "Juniper Coast", "Kestrel Downs", "Larkspur, Borough of", "Millbrook",
        "Northwold", "Oakhampton Fields", "Pennyford",
    ))],
]  # fmt: skip
NEIGHBOURS = 10
POST16 = [f"age {a}" for a in range(16, 26)]
CASELOAD_FIRST_YEAR = 2018  # the January of 2019, the real release's first
CASELOAD_GROWTH = 0.10  # England's plans in force, 2015-2024 (NAO)


def _ees(year: str, identifier: str, level: str, region: str = "", la: tuple[str, str] = ("", "")) -> dict:
    return {
        "time_period": year, "time_identifier": identifier, "geographic_level": level,
        "country_code": "E92000001", "country_name": "England", "region_code": region,
        "region_name": REGIONS.get(region, ""), "new_la_code": f"E1000{la[0]}" if la[0] else "",
        "old_la_code": la[0], "la_name": la[1],
    }  # fmt: skip


def _pc(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.1f}" if denominator else "z"


class _Counts:
    """Each LA's counts for a year, seeded by LA and year so every run writes the same files."""

    def __init__(self, world: World, seed: int):
        self.world, self.seed = world, seed

    def rng(self, code: str, year: str, file: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(code), int(year[:4]), sum(map(ord, file))])

    def timeliness(self, code: str, year: str) -> tuple[int, int, int, int]:
        """(issued, within 20 weeks, issued excluding exceptions, within 20 weeks of those)."""
        if code == SAMPLE_LA_CODE and self._covered(year):
            r = self.world.requests
            start, end = _days(periods.first_day(f"{year}-01")), _days(periods.last_day(f"{year}-12"))
            issued = (r.outcome == "PLAN") & r.outcome_day.between(start, end)
            within = (r.outcome_day - r.received) <= 140
            kept = issued & (r.exception_20wk != "Y")
            return int(issued.sum()), int((issued & within).sum()), int(kept.sum()), int((kept & within).sum())
        g = self.rng(code, year, "timeliness")
        issued = int(g.integers(300, 1400))
        share = g.uniform(0.25, 0.85)
        kept = issued - int(g.integers(5, 40))
        return issued, int(issued * share * 0.97), kept, int(kept * share)

    def requests(self, code: str, year: str) -> tuple[int, int]:
        """(decided within 6 weeks, decided later) of the requests received in the year."""
        if code == SAMPLE_LA_CODE and self._covered(year):
            r = self.world.requests
            start, end = _days(periods.first_day(f"{year}-01")), _days(periods.last_day(f"{year}-12"))
            decided = r.received.between(start, end) & r.decision.isin(["ASSESS", "NOT_ASSESS"])
            fast = decided & ((r.decision_day - r.received) <= 42)
            return int(fast.sum()), int((decided & ~fast).sum())
        g = self.rng(code, year, "requests")
        total = int(g.integers(400, 2000))
        fast = int(total * g.uniform(0.2, 0.9))
        return fast, total - fast

    def _covered(self, year: str) -> bool:
        """Whether the sample's records cover the whole calendar year (its history and its months)."""
        return (
            self.world.history_start <= _days(periods.first_day(f"{year}-01"))
            and _days(periods.last_day(f"{year}-12")) <= self.world.last_end
        )


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _levels(year: str, identifier: str, by_la: dict[str, dict]) -> list[dict]:
    """National and regional rows (sums of the LAs' counts; a withheld count stays withheld) and the LAs'."""
    rows = []

    def total(codes: list[str]) -> dict:
        first = by_la[codes[0]]
        return {
            column: sum(by_la[c][column] for c in codes) if isinstance(value, int) else value
            for column, value in first.items()
        }

    rows.append({**_ees(year, identifier, "National"), **total(list(by_la))})
    for region in REGIONS:
        codes = [c for c, _, r in AUTHORITIES if r == region]
        rows.append({**_ees(year, identifier, "Regional", region), **total(codes)})
    for code, name, region in AUTHORITIES:
        rows.append({**_ees(year, identifier, "Local authority", region, (code, name)), **by_la[code]})
    return rows


def _with_percentages(rows: list[dict], percentages: dict[str, tuple[str, str]], withheld: dict) -> list[dict]:
    """Fill each row's published percentages; then withhold the chosen LAs' figures (`c` or `x`)."""
    out = []
    for row in rows:
        row = dict(row)
        for column, (numerator, denominator) in percentages.items():
            row[column] = _pc(row[numerator], row[denominator])
        code = withheld.get(row["old_la_code"])
        if code:
            row = {k: (code if k not in _ees("", "", "") and k not in ("breakdown_topic", "breakdown") else v)
                   for k, v in row.items()}  # fmt: skip
        out.append(row)
    return out


def _grown_back(row: dict, code: str, year: int, latest: int, seed: int) -> dict:
    """An LA's caseload row of the January of year + 1, from its latest: CASELOAD_GROWTH a year back,
    with a little noise of its own (seeded by LA and year). The latest year is the row itself."""
    if year == latest:
        return row
    factor = (1 + CASELOAD_GROWTH) ** (year - latest) * np.random.default_rng([seed, int(code), year]).lognormal(
        0, 0.02
    )
    return {k: int(v * factor) if isinstance(v, int) else v for k, v in row.items()}


def release_files(world: World, year: int, seed: int) -> dict[str, bytes]:
    """data/<file>.csv -> its bytes, for a release whose latest calendar year is `year`."""
    counts = _Counts(world, seed)
    files: dict[str, list[dict]] = {f: [] for f in dfe.RELEASE_FILES}
    topic = {"breakdown_topic": "All EHC plans issued", "breakdown": "All EHC plans issued"}
    for y in map(str, range(year - 5, year + 1)):
        by_la = {}
        for code, _, _ in AUTHORITIES:
            issued, within, kept, kept_within = counts.timeliness(code, y)
            by_la[code] = {**topic, "plans_issued_den": issued, "plans_issued_within_20_weeks": within,
                           "plans_issued_den_ex": kept, "plans_issued_20_weeks_ex": kept_within}  # fmt: skip
        files["timeliness_20_week.csv"] += _with_percentages(
            _levels(y, "Calendar year", by_la),
            {"pc_plans_issued_within_20_weeks": ("plans_issued_within_20_weeks", "plans_issued_den"),
             "pc_plans_issued_20_weeks_ex": ("plans_issued_20_weeks_ex", "plans_issued_den_ex")},
            {"985": "c"} if y == str(year) else {},
        )  # fmt: skip
    topic = {"breakdown_topic": "All requests for EHC needs assessments",
             "breakdown": "All requests for EHC needs assessments"}  # fmt: skip
    for y in map(str, range(year - 2, year + 1)):
        by_la = {}
        for code, _, _ in AUTHORITIES:
            fast, slow = counts.requests(code, y)
            by_la[code] = {**topic, "request_outcome_six_weeks": fast, "request_outcome_over_6_weeks": slow,
                           "requests_total": fast + slow}  # fmt: skip
        for row in _levels(y, "Calendar year", by_la):
            row["request_outcome_six_weeks_pc"] = _pc(row["request_outcome_six_weeks"], row["requests_total"])
            del row["requests_total"]
            files["requests.csv"].append(row)
    topic = {"breakdown_topic": "All annual reviews", "breakdown": "All annual reviews"}
    by_la = {}
    for code, _, _ in AUTHORITIES:
        g = counts.rng(code, str(year), "annual_reviews")
        total = int(g.integers(1500, 6000))
        fast = int(total * g.uniform(0.3, 0.8))
        by_la[code] = {**topic, "number_decsion_4weeks": fast, "number_decision_gt_4weeks": total - fast}
    for row in _levels(str(year), "Calendar year", by_la):
        decided = row["number_decsion_4weeks"] + row["number_decision_gt_4weeks"]
        files["annual_reviews.csv"].append({**row, "pc_decsion_4weeks": _pc(row["number_decsion_4weeks"], decided)})
    latest = f"{year}{str(year + 1)[2:]}"  # January of year + 1: the SEN2 caseload
    for topic_name, breakdowns in (("All EHC plans", ["All EHC plans"]), ("Child or young persons age", POST16)):
        for breakdown in breakdowns:
            at_latest = {}
            for code, _, _ in AUTHORITIES:
                g = counts.rng(code, latest, f"caseload {breakdown}")
                plans = int(g.integers(2000, 9000)) if topic_name == "All EHC plans" else int(g.integers(20, 400))
                mainstream = int(plans * g.uniform(0.3, 0.55))
                post16 = topic_name != "All EHC plans"
                at_latest[code] = {
                    "breakdown_topic": topic_name,
                    "breakdown": breakdown,
                    "ehcplans": plans,
                    "mainstream_total": mainstream,
                    "special_independent": int(plans * g.uniform(0.02, 0.1)),
                    "special_non_maintained": int(plans * g.uniform(0, 0.02)),
                    "neet": int(plans * g.uniform(0.05, 0.3)) if post16 else 0,
                }
            # every January since 2019's as the real release has, each LA growing about
            # CASELOAD_GROWTH a year to its latest (so the projection finds England's trend)
            for caseload_year in range(CASELOAD_FIRST_YEAR, year + 1):
                academic = f"{caseload_year}{str(caseload_year + 1)[2:]}"
                by_la = {code: _grown_back(row, code, caseload_year, year, seed) for code, row in at_latest.items()}
                rows = _with_percentages(
                    _levels(academic, "Academic year", by_la),
                    {"mainstream_total_pc": ("mainstream_total", "ehcplans")},
                    {"979": "x"} if topic_name == "All EHC plans" else {},
                )
                files["caseload.csv"] += rows
    return {f"data/{name}": _csv(rows) for name, rows in files.items()}


def write_release(folder: Path, world: World, year: int, seed: int) -> Path:
    """The release zip, named as the DfE names its download (education-health-and-care-plans_<year + 1>.zip:
    published in June of the year after the calendar year it covers)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"education-health-and-care-plans_{year + 1}.zip"
    temporary = folder / f".{target.name}.tmp"
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in release_files(world, year, seed).items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(year + 1, 6, 26, 9, 30, 0)), content)
    os.replace(temporary, target)
    return target


def write_neighbours(folder: Path, seed: int) -> Path:
    """The workbook: sheet `LA SN Groups`, a title row, then `LA num`, `LA Name`, SN1..SN10 (LA numbers)."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "statistical_neighbours_sample.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = dfe.NEIGHBOURS_SHEET
    sheet.append(["Children's services statistical neighbour benchmarking tool (synthetic sample)"])
    sheet.append(["LA num", "LA Name", *[f"SN{i}" for i in range(1, NEIGHBOURS + 1)]])
    codes = [c for c, _, _ in AUTHORITIES]
    for code, name, _ in AUTHORITIES:
        others = [c for c in codes if c != code]
        # the sample's own neighbours include 979, whose caseload is withheld (`x`): 9 of 10 with a value
        order = (
            range(NEIGHBOURS)
            if code == SAMPLE_LA_CODE
            else np.random.default_rng([seed, int(code)]).permutation(len(others))
        )
        sheet.append([int(code), name, *[int(others[i]) for i in list(order)[:NEIGHBOURS]]])
    temporary = folder / f".{target.name}.tmp"
    workbook.save(temporary)
    os.replace(temporary, target)
    return target


def write(inbox: Path, world: World, seed: int) -> list[Path]:
    """The sample's DfE files in <inbox>/dfe_statistics/: the release covering the calendar year before
    the sample's last month, and the neighbours workbook."""
    last_year = periods.parse(periods.shift(world.start, world.months - 1))[0]
    folder = inbox / "dfe_statistics"
    return [write_release(folder, world, last_year - 1, seed), write_neighbours(folder, seed)]
