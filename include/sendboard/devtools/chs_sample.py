"""Synthetic NHS England "Community Health Services Waiting Times" workbooks, in each layout the real
ones have had (../shared/reference_data/nhs_chs/SOURCES.md), for the sample inbox and the tests.

The sample's own ICB (SAMPLE_ICB) and its providers (the county sample's provider codes) carry the
sample's own waiting lists, counted from its referrals at each month end as NHS England counts them,
so the pack's check of a provider's CHS figure against our own finds them in agreement. England and
the regions add synthetic others.

Layouts (LAYOUTS), as SOURCES.md describes them:
- `untitled_columns`: header row 6, organisation columns without a heading, the type written on the
  first row of each block only (England's row has none; providers are "Organisation"), the month in
  each table's title;
- `month_in_contents`: the same, with no month in the titles: only the Contents sheet's lines;
- `type_and_name`: header row 5, `Organisation Type, Organisation Name`, names in capitals and
  service labels in another case;
- `type_code_and_name`: `Organisation Type, Organisation Code, Organisation Name`, with Tables
  4a-4g headed differently from Table 4's (no organisation headings), and every sheet declaring a
  size of one cell (`A1:A1`).
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sendboard import periods

SAMPLE_ICB = ("QZZ", "NHS Sample Shire Integrated Care Board")
SAMPLE_REGION = ("Y59", "South East")
OTHER_REGIONS = [("Y56", "London"), ("Y58", "South West"), ("Y60", "Midlands")]
OTHER_ICBS = [("QYY", "Ashdown and Kestrel"), ("QXX", "Millbrook and Northwold")]
PROVIDER_NAMES = {"RTH": "Sample Shire University Hospitals NHS Foundation Trust",
                  "RNU": "Sample Shire Health NHS Foundation Trust",
                  "RWX": "Berkshire Vale Healthcare NHS Foundation Trust"}  # fmt: skip
OTHER_PROVIDERS = [("RAA", "Ashdown Community Health NHS Trust"), ("RBB", "Millbrook Children's Services CIC")]
# the referrals export's services and the CHS line of each; the others of the 17 CYP lines follow
LINES = {
    "COMMUNITY_PAEDIATRICS": "(CYP) Community paediatric service",
    "OCCUPATIONAL_THERAPY": "(CYP) Therapy interventions: occupational therapy",
    "PHYSIOTHERAPY": "(CYP) Therapy interventions: physiotherapy",
    "SALT": "(CYP) Therapy interventions: speech and language",
}
OTHER_LINES = ["(CYP) Audiology", "(CYP) Therapy interventions: dietetics", "(A) Audiology",
               "(A) Community nursing services"]  # fmt: skip
TABLES = [
    ("Table 4", "Total waiting list by service"),
    ("Table 4a", "Number waiting 0-1 weeks (0-7 days) by service"),
    ("Table 4f", "Number waiting >18-52 weeks (127-364 days) by service"),
    ("Table 4g", "Number waiting >52 weeks (365+ days) by service"),
]
LAYOUTS = ("untitled_columns", "month_in_contents", "type_and_name", "type_code_and_name")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip
Counts = tuple[int | None, int | None, int | None]  # waiting, 18-52 weeks, over 52 weeks; None: `*`


@dataclass
class Organisation:
    level: str  # England, Region, ICB, Provider
    code: str
    name: str
    lines: dict[str, Counts]  # CHS line label: counts


def month_words(month: str) -> str:
    year, number = periods.parse(month)
    return f"{MONTH_NAMES[number - 1]} {year}"


def write_workbook(path: Path, month: str, organisations: list[Organisation], layout: str) -> Path:
    """One CHS workbook in one of LAYOUTS."""
    from openpyxl import Workbook

    labels = list(dict.fromkeys(label for o in organisations for label in o.lines))
    labels.sort(key=lambda label: (not label.startswith("(A)"), label.casefold()))
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Cover page"
    cover.append(["Community Health Services Waiting Lists"])
    cover.append(["Published: synthetic sample (not real data)"])
    contents = workbook.create_sheet("Contents")
    contents.append(["Contents"])
    titled = layout != "month_in_contents"
    for sheet, title in TABLES:
        contents.append([f"{sheet}: {title}, {month_words(month)}"])
    for sheet, title in TABLES:
        table = workbook.create_sheet(sheet)
        early = layout in ("untitled_columns", "month_in_contents")
        prefix = [None] if early else []
        table.append([*prefix, f"{title}, {month_words(month)}" if titled else title])
        table.append([*prefix, "Blanks indicate no organisation submitted for the service line."])
        table.append([*prefix, "Data is submitted at provider level and aggregated up."])
        table.append([*prefix, "* Data are suppressed to prevent disclosure."])
        if early:
            table.append([])
        shown = [_case(label, layout) for label in labels]
        headed = not (layout == "type_code_and_name" and sheet != "Table 4")
        if early:
            table.append([None, None, None, *shown])
        elif layout == "type_and_name":
            table.append(["Organisation Type", "Organisation Name", *shown])
        else:
            headings: list[str | None] = (
                ["Organisation Type", "Organisation Code", "Organisation Name"] if headed else [None] * 3
            )
            table.append([*headings, *shown])
        block = ""
        for organisation in organisations:
            values = [_cell(organisation.lines.get(label), sheet) for label in labels]
            name = organisation.name.upper() if layout != "untitled_columns" and organisation.level != "England" else (
                organisation.name)  # fmt: skip
            if early:
                kind = {"England": None, "Provider": "Organisation"}.get(organisation.level, organisation.level)
                written = kind if kind != block and organisation.level != "England" else None
                block = kind or block
                table.append([None, written, name, *values])
            elif layout == "type_and_name":
                table.append([_kind(organisation.level), name, *values])
            else:
                table.append([_kind(organisation.level), organisation.code or None, name, *values])
    temporary = path.with_name(f".{path.name}.tmp")
    workbook.save(temporary)
    if layout == "type_code_and_name":
        _declare_one_cell(temporary)
    os.replace(temporary, path)
    return path


def _kind(level: str) -> str:
    return {"England": "National"}.get(level, level)


def _case(label: str, layout: str) -> str:
    """The later layouts write a line's second part capitalised (`... Speech and language`)."""
    if layout in ("type_and_name", "type_code_and_name") and ": " in label:
        head, tail = label.split(": ", 1)
        return f"{head}: {tail[:1].upper()}{tail[1:]}"
    return label


def _cell(counts: Counts | None, sheet: str) -> int | str | None:
    if counts is None:
        return None  # a blank: no organisation submitted the line
    waiting, mid, long = counts
    value = {"Table 4": waiting, "Table 4f": mid, "Table 4g": long}.get(sheet, 0)
    if sheet == "Table 4a":
        value = None if waiting is None or mid is None or long is None else max(waiting - mid - long, 0) // 3
    return "*" if value is None else value


def _declare_one_cell(path: Path) -> None:
    """Rewrite each sheet's <dimension> to A1:A1, as some real workbooks declare."""
    rewritten = path.with_name(path.name + ".dim")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(info, data)
    os.replace(rewritten, path)


def own_waits(referrals, month_end_days: int) -> dict[str, dict[str, Counts]]:
    """provider -> CHS line -> (waiting, 18-52 weeks, over 52) from the world's referrals at a month end."""
    waiting = referrals[(referrals.referred <= month_end_days) & (referrals.closed > month_end_days)]
    days = month_end_days - waiting.referred.to_numpy()
    found: dict[str, dict[str, Counts]] = {}
    for provider in sorted(set(waiting.provider_code)):
        for service, label in LINES.items():
            mask = (waiting.provider_code.to_numpy() == provider) & (waiting.service.to_numpy() == service)
            d = days[mask]
            found.setdefault(provider, {})[label] = (int(mask.sum()), int(((d > 126) & (d <= 364)).sum()),
                                                      int((d > 364).sum()))  # fmt: skip
    return found


def _synthetic(rng: np.random.Generator, scale: int) -> dict[str, Counts]:
    lines: dict[str, Counts] = {}
    for label in [*LINES.values(), *OTHER_LINES]:
        waiting = int(rng.integers(scale // 2, scale))
        mid = int(waiting * rng.uniform(0.2, 0.4))
        lines[label] = (waiting, mid, int(waiting * rng.uniform(0.02, 0.08)))
    return lines


def _add(*parts: dict[str, Counts]) -> dict[str, Counts]:
    total: dict[str, Counts] = {}
    for part in parts:
        for label, counts in part.items():
            # NHS England adds up what providers submitted; `*` is a provider's published cell only
            before = total.get(label, (None, None, None))
            total[label] = tuple(  # type: ignore[assignment]
                b if a is None else a if b is None else a + b for a, b in zip(before, counts, strict=True)
            )
    return total


def sample_organisations(world, month: str, seed: int) -> list[Organisation]:
    """England, the regions, the ICBs and providers of a month: the sample's own providers from its
    referrals, the rest synthetic (seeded by month)."""
    from sendboard.devtools.world import _days

    rng = np.random.default_rng([seed, *periods.parse(month)])
    ours = own_waits(world.referrals, _days(periods.last_day(month)))
    providers = [Organisation("Provider", code, PROVIDER_NAMES.get(code, code), lines) for code, lines in ours.items()]
    others = [Organisation("Provider", code, name, _synthetic(rng, 400)) for code, name in OTHER_PROVIDERS]
    # one line the file suppresses for one other provider: a `*` the reader must take as no value
    others[1].lines[LINES["PHYSIOTHERAPY"]] = (None, None, None)
    icb = Organisation("ICB", *SAMPLE_ICB, _add(*(p.lines for p in providers)))
    other_icbs = [Organisation("ICB", code, name, lines) for (code, name), lines in
                  zip(OTHER_ICBS, (others[0].lines, others[1].lines), strict=True)]  # fmt: skip
    region = Organisation("Region", *SAMPLE_REGION, _add(icb.lines, *(i.lines for i in other_icbs)))
    regions = [region] + [Organisation("Region", c, n, _synthetic(rng, 20_000)) for c, n in OTHER_REGIONS]
    england = Organisation("England", "", "England", _add(*(r.lines for r in regions)))
    return [england, *regions, icb, *other_icbs, *providers, *others]


def write(inbox: Path, world, months: list[str], seed: int) -> list[Path]:
    """The sample's CHS workbooks in <inbox>/nhs_statistics/: one per month, each layout in turn (the
    last month in the latest layout), named as whoever saved them chose, not by their data month."""
    folder = inbox / "nhs_statistics"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, month in enumerate(months):
        layout = LAYOUTS[(len(LAYOUTS) - len(months) + i) % len(LAYOUTS)]
        published = periods.shift(month, 2)  # NHS England publishes a month's lists two months on
        target = folder / f"community_health_{published}-01.xlsx"
        written.append(write_workbook(target, month, sample_organisations(world, month, seed), layout))
    return written
