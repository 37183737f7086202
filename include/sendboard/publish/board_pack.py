"""board_pack.html: the month's pack for the board, one self-contained file.

No request to any network address: styles inline, charts as inline SVG written here, no
scripts, no web fonts. RAG is always written as a word, never shown by colour alone. Every text from
data is escaped. KPI titles and definitions come from the dbt seed kpi_catalogue.csv, the same
catalogue the models use.
"""

from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass
from pathlib import Path

from sendboard import periods
from sendboard.publish import changes, comparators_pack, mdc_pack, variation
from sendboard.publish.comparators_pack import Comparisons
from sendboard.publish.variation import KpiChart

THEMES = {
    "T1": "Right Support, Right Time",
    "T2": "Right Plan, Right First Time, Every Time",
    "T3": "Right Provision, Right Time",
    "T4": "Preparation for Adulthood",
    "X": "Cross-cutting: areas for priority action",
}
RAG_STYLE = {"GREEN": "#1b7f3b", "AMBER": "#a86400", "RED": "#b3261e", "NO_DATA": "#555", "SUPPRESSED": "#555"}


@dataclass(frozen=True)
class Detail:
    """What the restricted twin of the pack adds (restricted/board_pack_detail/<M>.html, for the data
    team and the casework leads): each KPI's unsuppressed value, numerator and denominator, and the
    worklist whose cases move it (name, rows, link relative to the page)."""

    figures: dict[str, tuple]  # kpi_id -> (value, numerator, denominator), unsuppressed
    worklists: dict[str, tuple[str, int, str]]  # kpi_id -> (list, rows, href)


CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #111; margin: 2em; max-width: 70em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 2px solid #333; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.rag { font-weight: bold; padding: 0.1em 0.4em; border-radius: 3px; color: #fff; }
.chart { display: inline-block; width: 32%; min-width: 18em; vertical-align: top; margin: 0 0.5% 1em 0; }
.chart h3 { font-size: 0.9em; margin: 0.2em 0; }
.note { color: #333; font-size: 0.9em; }
.icon { vertical-align: middle; }
.restricted { border: 3px solid #b3261e; padding: 0.5em; font-weight: bold; }
table.matrix td { width: 20%; } table.matrix th { background: #f3f3f3; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: auto; }
  .chart { width: 48%; break-inside: avoid; } table { break-inside: auto; } tr { break-inside: avoid; } }
"""


def _text(value) -> str:
    return html.escape("" if value is None else str(value))


def _shown(row: dict) -> str:
    if row["suppressed"] in (True, "true"):
        return "suppressed"
    return _text(row["value"]) if row["value"] not in (None, "") else "no data"


def _rag(row: dict) -> str:
    rag = row.get("rag") or ""
    if not rag:
        return '<span class="note">context</span>'
    return f'<span class="rag" style="background:{RAG_STYLE.get(rag, "#555")}">{_text(rag)}</span>'


# The trend chart's drawing area inside its 420 x 220 viewBox: room for the y labels on the left and the
# slanted month labels below.
CHART_WIDTH, CHART_HEIGHT = 420, 220
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 48.0, 410.0, 14.0, 176.0


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round y-axis ticks covering low..high: a step of 1, 2 or 5 times a power of ten.

    >>> nice_ticks(0, 100)
    [0.0, 25.0, 50.0, 75.0, 100.0]
    >>> nice_ticks(61.3, 74.9)
    [60.0, 65.0, 70.0, 75.0]
    >>> nice_ticks(12, 12)
    [11.0, 11.5, 12.0, 12.5, 13.0]
    """
    import math

    if high - low < 1e-9:
        low, high = low - 1, high + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [float(round(i * step, 10)) for i in range(first, last + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


def trend_svg(
    kpi: dict,
    history: list[tuple[str, float | None]],
    target: float | None,
    spc: KpiChart | None = None,
    references: list[tuple[str, float, str]] | None = None,
) -> str:
    """An SVG line chart of the published values over the months, the target as a dashed line; with
    `spc`, the XmR chart: each baseline's mean and process limits, a dotted line where a new baseline
    starts, and the points coloured by type. Written by hand (no plotting library): 23 charts a
    publication cost 1.5 s with matplotlib. A month without a published value (suppressed or missing)
    is a gap in the line and is not in the chart's mean or limits. `references`: (label, value, colour)
    of comparators (England, the statistical neighbours), drawn as labelled dotted lines."""
    points = dict(zip(spc.months, spc.chart.points)) if spc else {}
    limits = [v for p in points.values() for v in (p.mean, p.lower_limit, p.upper_limit) if v == v]
    references = references or []
    values = [v for _, v in history if v is not None] + ([target] if target is not None else []) + limits
    values += [level for _, level, _ in references]
    ticks = nice_ticks(min(values), max(values)) if values else [0.0, 1.0]
    bottom_value, top_value = ticks[0], ticks[-1]
    count = len(history)

    def x(i: int) -> float:
        return (PLOT_LEFT + PLOT_RIGHT) / 2 if count == 1 else PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * i / (count - 1)

    def y(v: float) -> float:
        return PLOT_BOTTOM - (v - bottom_value) / (top_value - bottom_value) * (PLOT_BOTTOM - PLOT_TOP)

    parts = [
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="#333"/>',
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}" stroke="#333"/>',
        f'<text x="10" y="{(PLOT_TOP + PLOT_BOTTOM) / 2:.1f}" font-size="9" text-anchor="middle" '
        f'transform="rotate(-90 10 {(PLOT_TOP + PLOT_BOTTOM) / 2:.1f})">{_text(kpi["unit"])}</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<text x="{PLOT_LEFT - 4}" y="{y(tick) + 3:.1f}" font-size="9" text-anchor="end">{_label(tick)}</text>'
        )
    for i in range(0, count, max(1, count // 6)):
        parts.append(
            f'<text x="{x(i):.1f}" y="{PLOT_BOTTOM + 12}" font-size="9" text-anchor="end" '
            f'transform="rotate(-30 {x(i):.1f} {PLOT_BOTTOM + 12})">{_text(history[i][0])}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y(target):.1f}" x2="{PLOT_RIGHT}" y2="{y(target):.1f}" '
            'stroke="#b3261e" stroke-dasharray="5 3"/>'
        )
    parts.extend(_xmr_lines(points, [m for m, _ in history], x, y))
    for label, level, colour in references:
        # the label sits above its line, or below it near the top, clear of the legend
        label_y = y(level) - 2 if y(level) - 2 > PLOT_TOP + 10 else y(level) + 9
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y(level):.1f}" x2="{PLOT_RIGHT}" y2="{y(level):.1f}" stroke="{colour}" '
            f'stroke-dasharray="1 3" stroke-width="1.5"/><text x="{PLOT_RIGHT - 2}" y="{label_y:.1f}" '
            f'font-size="8" text-anchor="end" fill="{colour}">{_text(label)}</text>'
        )
    segment: list[str] = []
    for i, (_, value) in enumerate([*history, ("", None)]):
        if value is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="#1f4e79" stroke-width="1.5"/>'
                )
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
        point = points.get(history[i][0])
        colour = mdc_pack.POINT_COLOUR[point.point_type] if point else "#1f4e79"
        said = f" ({mdc_pack.RULE_WORDS[point.rule]})" if point and point.rule else ""
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{3.2 if point else 2.5}" fill="{colour}">'
            f"<title>{_text(history[i][0])}: {_label(value)}{_text(said)}</title></circle>"
        )
    parts.append(
        f'<text x="{PLOT_RIGHT}" y="9" font-size="8" text-anchor="end" fill="#1f4e79">&#8226; published value</text>'
    )
    if target is not None:
        parts.append(
            f'<text x="{PLOT_RIGHT - 100}" y="9" font-size="8" text-anchor="end" fill="#b3261e">- - target</text>'
        )
    if spc:
        parts.append(
            f'<text x="{PLOT_LEFT + 4}" y="9" font-size="8" fill="{mdc_pack.GREY}">— mean  - - process limits</text>'
        )
    described = [f"{m}: {'no published value' if v is None else v}" for m, v in history]
    alt = (
        f"{'XmR chart' if spc else 'Trend'} of {kpi['kpi_name']} ({kpi['unit']}) by month"
        + (f", target {target}" if target is not None else "")
        + "".join(f", comparator {label}" for label, _, _ in references)
        + ". "
        + (_signal(spc) + " " if spc else "")
        + "; ".join(described)
    )
    return (
        f'<svg role="img" aria-label="{_text(alt)}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="100%" font-family="Arial, Helvetica, sans-serif">'
        + "".join(parts)
        + "</svg>"
    )


def _xmr_lines(points: dict, months: list[str], x, y) -> list[str]:
    """Each baseline's mean (solid) and process limits (dashed) over its months, and a dotted line
    where a new baseline starts."""
    parts = []
    index = {m: i for i, m in enumerate(months)}
    for baseline in sorted({p.baseline for p in points.values()}):
        own = [m for m, p in points.items() if p.baseline == baseline]
        first, last, point = index[own[0]], index[own[-1]], points[own[0]]
        x1, x2 = x(first) - (4 if first == last else 0), x(last) + (4 if first == last else 0)
        dashed = ' stroke-dasharray="3 2"'
        for level, dash in ((point.mean, ""), (point.lower_limit, dashed), (point.upper_limit, dashed)):
            if level == level:  # no limits before the second point (NaN)
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y(level):.1f}" x2="{x2:.1f}" y2="{y(level):.1f}" '
                    f'stroke="{mdc_pack.GREY}"{dash}/>'
                )
        if baseline > 0:
            parts.append(
                f'<line x1="{x(first):.1f}" y1="{PLOT_TOP}" x2="{x(first):.1f}" y2="{PLOT_BOTTOM}" '
                'stroke="#333" stroke-dasharray="1 2"/>'
            )
    return parts


def _latest_icon(found: KpiChart, period: str) -> str | None:
    """The variation icon of month M; none when M has no published value (nothing is said of it)."""
    return found.chart.variation_icon if found.months and found.months[-1] == period else None


def _months(count: int) -> str:
    return f"{count} month{'' if count == 1 else 's'}"


def _signal(spc: KpiChart) -> str:
    """The chart's signal in words, for its aria-label."""
    if not spc.chart.points:
        return "No published value yet."
    last = spc.chart.points[-1]
    said = [
        f"Latest point {spc.months[-1]}: {mdc_pack.variation_words(spc.chart.variation_icon)}"
        + (f" ({mdc_pack.RULE_WORDS[last.rule]})" if last.rule else "")
        + f"; {mdc_pack.assurance_words(spc.chart.assurance)}.",
        f"{_months(len(spc.chart.points))} published in the chart, {spc.months_left_out} left out "
        "(suppressed or no data).",
    ]
    if last.mean == last.mean and last.lower_limit == last.lower_limit:
        said.append(
            f"Mean {variation.figure(last.mean)}, process limits {variation.figure(last.lower_limit)} "
            f"to {variation.figure(last.upper_limit)}"
            + (" (trial limits: fewer than 13 points)." if last.short_group else ".")
        )
    return " ".join(said)


def render(
    period: str,
    rows: list[dict],
    catalogue: list[dict],
    history: dict[str, list[tuple[str, float | None]]],
    quality: dict,
    warnings: list[str],
    charts: dict[str, KpiChart] | None = None,
    comparisons: Comparisons | None = None,
    detail: Detail | None = None,
    projection: dict | None = None,
) -> str:
    """The pack's HTML. rows: the published rows of M (CSV-formatted strings or values);
    history: kpi_id -> [(month, published value or None)] for every published month up to M
    (`trend_series`); warnings: from published figures only (`published_warnings`); charts: each
    KPI's XmR chart from the published values (`variation.charts`): the pack then leads with the
    Making Data Count summary, and its trend charts are XmR charts; comparisons: the DfE comparators
    of the version, beside each value, on the charts and in "How we compare"; detail: the restricted
    twin's unsuppressed figures and worklist links (never for the published pack)."""
    by_id = {r["kpi_id"]: r for r in rows}
    parts = [
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>SEND Improvement and Assurance Board pack: {_text(period)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>SEND Improvement and Assurance Board: performance pack for {_text(period)}</h1>",
        (
            '<p class="restricted">RESTRICTED: for the data team and the casework leads, not for publication. '
            "Each KPI's numerator and denominator are shown unsuppressed, with the worklist of the cases "
            "behind it. The published pack is in published/.</p>"
            if detail
            else ""
        ),
        f'<p class="note">Version {_text(rows[0]["version"])}, published {_text(rows[0]["published_at"])}. '
        "Figures for small groups are suppressed (statistical disclosure control). RAG is shown as a word: "
        "GREEN meets the target, AMBER is within the amber threshold, RED is beyond it.</p>",
    ]
    if charts:
        parts.append("<h2>Making Data Count summary</h2>")
        parts.append(
            mdc_pack.matrix(
                [
                    (
                        k["kpi_id"],
                        k["kpi_name"],
                        _latest_icon(charts[k["kpi_id"]], period),
                        charts[k["kpi_id"]].chart.assurance,
                    )
                    for k in catalogue
                ]
            )  # fmt: skip
        )
        parts.append(f'<p class="note">{_text(mdc_pack.HOW_TO_READ)}</p>')
    parts.append("<h2>Summary</h2>")
    icons = "<th>Variation</th><th>Assurance</th>" if charts else ""
    icons += "<th>Comparators</th>" if comparisons is not None else ""
    icons += "<th>Unsuppressed value (numerator / denominator)</th><th>Worklist</th>" if detail else ""
    for theme, title in THEMES.items():
        parts.append(
            f"<h3>{_text(theme)}: {_text(title)}</h3><table><thead><tr><th>KPI</th><th>Value</th>"
            f"<th>Unit</th><th>Target</th><th>RAG</th>{icons}<th>Direction</th><th>Previous</th></tr></thead><tbody>"
        )
        for kpi in (k for k in catalogue if k["theme"] == theme):
            row = by_id[kpi["kpi_id"]]
            found = charts[kpi["kpi_id"]] if charts else None
            icon_cells = (
                f"<td>{mdc_pack.variation_icon(_latest_icon(found, period))}</td>"
                f"<td>{mdc_pack.assurance_icon(found.chart.assurance)}</td>"
                if found
                else ""
            )
            if comparisons is not None:
                icon_cells += comparators_pack.summary_cell(kpi["kpi_id"], row, comparisons)
            if detail:
                icon_cells += _detail_cells(kpi["kpi_id"], detail)
            parts.append(
                f'<tr><td>{_text(kpi["kpi_name"])}<br><span class="note">{_text(kpi["kpi_id"])}</span></td>'
                f'<td class="num">{_shown(row)}</td><td>{_text(kpi["unit"])}</td>'
                f'<td class="num">{_text(row["target"])}</td><td>{_rag(row)}</td>{icon_cells}'
                f"<td>{_text(row['direction']) or '&ndash;'}</td>"
                f'<td class="num">{_text(row["previous_value"])}</td></tr>'
            )
        parts.append("</tbody></table>")
    if comparisons is not None:
        parts.append(comparators_pack.section(catalogue, comparisons))
    parts.append(
        '<h2>Trends</h2><p class="note">Published values by month; the dashed red line is the target. '
        + ("Each is an XmR chart (how to read it: above). " if charts else "")
        + (
            "Dotted lines, where the DfE measures the KPI: England and our neighbours; on the 18-week health "
            "wait, NHS England's community health waiting lists (CHS): England, the ICB and our providers. "
            if comparisons
            else ""
        )
        + "Suppressed or missing months are gaps.</p>"
    )
    for kpi in catalogue:
        target = by_id[kpi["kpi_id"]]["target"]
        found = charts[kpi["kpi_id"]] if charts else None
        left_out = (
            f'<p class="note">{_months(len(found.chart.points))} published; {found.months_left_out} left out '
            "(suppressed or no data).</p>"
            if found
            else ""
        )
        parts.append(
            f'<div class="chart"><h3>{_text(kpi["kpi_name"])}</h3>'
            + trend_svg(
                kpi,
                history[kpi["kpi_id"]],
                float(target) if target not in (None, "") else None,
                found,
                comparators_pack.reference_marks(kpi["kpi_id"], comparisons) if comparisons else None,
            )
            + f"{left_out}</div>"
        )
    parts.append(_projection_section(projection))
    parts.append("<h2>Data quality</h2>")
    parts.append(
        f"<p>Extracts used: case management {_text(quality['case_management'])}, health waiting lists "
        f"{_text(quality['health_waiting_lists'])}, school census {_text(quality['school_census'] or 'none')}."
        "</p><table><thead><tr><th>Source</th><th>Table</th><th>Rows read</th><th>Rows left out</th>"
        "<th>Left out by rule</th></tr></thead><tbody>"
    )
    for source, tables in quality["tables"].items():
        for table, info in tables.items():
            rules = (
                "; ".join(f"{_text(r['rule'])} ({_text(r['column'])}): {r['rows']}" for r in info["left_out_by_rule"])
                or "none"
            )
            parts.append(
                f"<tr><td>{_text(source)}</td><td>{_text(table)}</td>"
                f'<td class="num">{info["rows_read"]}</td><td class="num">{info["rows_left_out"]}</td>'
                f"<td>{rules}</td></tr>"
            )
    parts.append("</tbody></table><table><thead><tr><th>Check</th><th>Result</th></tr></thead><tbody>")
    for check in quality["checks"]:
        parts.append(
            f"<tr><td>{_text(check['suite'])}</td><td>{'passed' if check['success'] else 'FAILED'} "
            f"({check['evaluated']} expectations)</td></tr>"
        )
    for warning in warnings:
        parts.append(f"<tr><td>warning</td><td>{_text(warning)}</td></tr>")
    parts.append(
        "</tbody></table><h2>What each KPI means</h2><table><thead><tr><th>KPI</th><th>Definition</th>"
        "<th>Better</th></tr></thead><tbody>"
    )
    for kpi in catalogue:
        parts.append(
            f'<tr><td>{_text(kpi["kpi_name"])}<br><span class="note">{_text(kpi["kpi_id"])}</span></td>'
            f"<td>{_text(kpi['definition'])}</td><td>{_text(kpi['better'])}</td></tr>"
        )
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts)


def _detail_cells(kpi_id: str, detail: Detail) -> str:
    value, numerator, denominator = detail.figures.get(kpi_id, (None, None, None))
    figures = f"{_text(value if value is not None else 'no value')} ({_text(numerator)} / {_text(denominator)})"
    found = detail.worklists.get(kpi_id)
    link = f'<a href="{_text(found[2])}">{_text(found[0])}</a> ({found[1]} cases)' if found else "&ndash;"
    return f'<td class="num">{figures}</td><td>{link}</td>'


def latest_projection(home: Path, period: str) -> dict | None:
    """The latest projection published when the pack of `period` is (the projection stage's published
    output, read as a file: the stage sits above this one): the month it was made from and its totals
    each January."""
    root = home / "published" / "projection"
    made = sorted(p.name for p in root.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]") if p.is_symlink() and p.name <= period)
    if not made:
        return None
    with open(root / made[-1] / "board_projection.csv", newline="", encoding="utf-8") as handle:
        januaries = [
            r
            for r in csv.DictReader(handle)
            if r["breakdown"] == "total" and r["scenario"] == "baseline" and r["projected_month"].endswith("-01")
        ]
    return {"made_from": made[-1], "januaries": januaries[:3]}


def _projection_section(projection: dict | None) -> str:
    if not projection:
        return ""
    rows = "".join(
        f"<tr><td>{_text(r['projected_month'])}</td><td>{int(r['median']):,}</td>"
        f"<td>{int(r['lower_80']):,} to {int(r['upper_80']):,}</td></tr>"
        for r in projection["januaries"]
    )
    return (
        "<h2>Where we are heading</h2>"
        f'<p class="note">EHC plans in force projected from {_text(projection["made_from"])}, the latest '
        f"projection when this pack was published (published/projection/{_text(projection['made_from'])}/, "
        "with its placements, costs and track record). Rounded to the nearest 5.</p>"
        f"<table><thead><tr><th>January</th><th>Median</th><th>80% range</th></tr></thead><tbody>{rows}"
        "</tbody></table>"
    )


def quality_summary(home: Path, period: str, census_period: str | None) -> dict:
    """Which extracts were used, rows read and left out per rule, and the checks run for M."""
    from sendboard.ingest.landing import read_manifest

    used = {"case_management": period, "health_waiting_lists": period, "school_census": census_period}
    tables = {}
    for source, source_period in used.items():
        manifest = read_manifest(home, source, source_period) if source_period else None
        if manifest:
            tables[source] = manifest["tables"]
    checks_file = home / "data_quality" / "board" / period / "mart_checks.json"
    # only which checks ran and passed: the report's warnings are made from restricted values
    checks = json.loads(checks_file.read_text())["suites"] if checks_file.exists() else []
    return {**used, "tables": tables, "checks": checks}


def published_history(con, period: str) -> list[dict]:
    """The latest published version of every KPI of every month up to M (M's new rows included):
    period, kpi_id, unit, value (None when suppressed or no data) and suppressed.

    The pack reads only this, the rows board_snapshot_candidates let through as they were published,
    never restricted.fct_kpi_values: its charts, warnings and anything it states are then made of
    figures that are public already, so none of them can carry or give away a suppressed one."""
    cursor = con.execute(
        "select period, kpi_id, unit, value, suppressed from publication.board_snapshot_history "
        "where period <= ? qualify version = max(version) over (partition by period)",
        [period],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def trend_series(history: list[dict], catalogue: list[dict], period: str) -> dict[str, list[tuple[str, float | None]]]:
    """kpi_id -> [(month, published value or None)] for every month from the first published to M."""
    months = sorted({h["period"] for h in history})
    if months:
        months = periods.span(months[0], period)
    values = {(h["period"], h["kpi_id"]): (float(h["value"]) if h["value"] is not None else None) for h in history}
    return {k["kpi_id"]: [(m, values.get((m, k["kpi_id"]))) for m in months] for k in catalogue}


def published_warnings(period: str, catalogue: list[dict], history: list[dict]) -> list[str]:
    """The pack's data-quality warnings, from published figures only.

    A KPI suppressed in M or the month before gets a line that says so, with no figures, whether or
    not its change was large: a line only when the restricted check fired would tell the reader that
    the hidden value moved by 20 points or more. Its check runs on the restricted values for the data
    team (the task log, data_quality/board/<M>/mart_checks.json)."""
    previous = periods.shift(period, -1)
    published = {(h["period"], h["kpi_id"]): h for h in history}
    months = sorted({h["period"] for h in history})
    warnings = []
    missing = [m for m in periods.span(months[0], period) if m not in months] if months else []
    if missing:
        warnings.append(f"months not published before {period}: {', '.join(missing)}")
    for kpi in catalogue:
        now, before = published.get((period, kpi["kpi_id"])), published.get((previous, kpi["kpi_id"]))
        if now is None or before is None:
            continue
        suppressed_in = [month for month, row in ((previous, before), (period, now)) if row["suppressed"]]
        if suppressed_in:
            warnings.append(
                f"{kpi['kpi_id']}: suppressed in {' and '.join(suppressed_in)}; its month-on-month "
                "change is checked by the data team on the restricted figures, not shown here"
            )
        elif (
            now["value"] is not None
            and before["value"] is not None
            and changes.is_large(kpi["unit"], before["value"], now["value"])
        ):
            warnings.append(changes.describe(kpi["kpi_id"], before["value"], now["value"], previous, period))
    return warnings
