"""The comparators in the board pack: the DfE's and NHS England's community health waiting lists (CHS),
beside each KPI's value in the summary, as labelled reference lines on its chart, and a "How we compare"
section with the publishers' notes, the sources and the Open Government Licence attribution.

"Above" or "below" is said only of a value that is published: of a suppressed one, the pack says
nothing, not even on which side of England it lies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sendboard.health_comparators.figures import KPI as HEALTH_KPI
from sendboard.health_comparators.figures import MATCHED, SALT_KPI, over_18_weeks, share

OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."
SHOWN = (("ENGLAND", "England"), ("REGION", None), ("STATISTICAL_NEIGHBOURS", "Neighbours"))
# the chart's reference lines: teal for England, purple for the neighbours (the target is red, dashed);
# for the health waits, brown for the ICB and grey for our providers
MARK_COLOUR = {"ENGLAND": "#00727a", "STATISTICAL_NEIGHBOURS": "#6a3d9a", "ICB": "#8c510a", "PROVIDER": "#595959"}
HEALTH_SHOWN = (("ENGLAND", "England"), ("NHS_REGION", None), ("ICB", None), ("PROVIDER", None))


@dataclass(frozen=True)
class Comparisons:
    rows: list[dict] = field(default_factory=list)  # board_comparators.csv's rows of the version
    notices: list[str] = field(default_factory=list)  # why some or all are missing
    waits: list[dict] = field(default_factory=list)  # board_health_waits.csv's rows of the version

    def of(self, kpi_id: str) -> dict[str, dict]:
        return {r["comparator"]: r for r in self.rows if r["kpi_id"] == kpi_id}

    def all_of(self, kpi_id: str) -> list[dict]:
        """Every row of a KPI: the health KPI has one per configured provider."""
        return [r for r in self.rows if r["kpi_id"] == kpi_id]


def _text(value) -> str:
    return html.escape("" if value is None else str(value))


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _side(ours: Decimal | None, theirs: Decimal) -> str:
    """Where our published value lies against a comparator.

    >>> _side(Decimal("45.0"), Decimal("46.4")), _side(Decimal("46.4"), Decimal("46.4")), _side(None, Decimal("1"))
    (' (we are below)', ' (we are the same)', '')
    """
    if ours is None:
        return ""
    return f" (we are {'above' if ours > theirs else 'below' if ours < theirs else 'the same'})"


def _name(row: dict, label: str | None) -> str:
    return label or row["comparator_name"] or row["comparator"].title()


def _area(level: str, name: str) -> str:
    """A CHS area as the pack names it: England, else the workbook's name."""
    return "England" if level == "ENGLAND" else name


def _lines_of(waits: list[dict], month: str, level: str, name: str) -> dict[str, tuple]:
    """One area's matched lines in one CHS month, as figures.over_18_weeks takes them."""
    return {
        w["service"]: (w["waiting"], w["waiting_18_to_52_weeks"], w["waiting_over_52_weeks"])
        for w in waits
        if (w["chs_month"], w["area_level"], w["area_name"]) == (month, level, name)
    }


def _health_cell(kpi_id: str, row: dict, comparisons: Comparisons) -> str:
    """The health KPIs' cell: CHS England, region, ICB and providers beside the 18-week share; beside
    the SALT median wait, the SALT line's share over 18 weeks, said to be another measure."""
    suppressed = row["suppressed"] in (True, "true")
    if kpi_id == SALT_KPI:
        found = [w for w in comparisons.waits if w["service"] == "SALT" and w["share_over_18_weeks"] is not None]
        latest = max((w["chs_month"] for w in found), default=None)
        lines = [
            f"{_text(_area(w['area_level'], w['area_name']))} {_share(w['share_over_18_weeks'])}"
            for w in found
            if w["chs_month"] == latest
        ]
        if not lines:
            return "<td>&ndash;</td>"
        return (
            f'<td>{"<br>".join(lines)}<br><span class="note">CHS {_text(latest)}: share of speech and language '
            "therapy waiters over 18 weeks, a different measure from our median wait</span></td>"
        )
    ours = None if suppressed else _number(row["value"])
    lines, period = [], ""
    for comparator, label in HEALTH_SHOWN:
        for theirs in (r for r in comparisons.all_of(kpi_id) if r["comparator"] == comparator):
            period = theirs["comparator_period"]
            value = _number(theirs["value"])
            if value is not None:
                lines.append(f"{_text(_name(theirs, label))} {value:.1f}{_side(ours, value)}")
    if not period:
        return "<td>&ndash;</td>"
    return f'<td>{"<br>".join(lines) or "no value"}<br><span class="note">NHS England CHS {_text(period)}</span></td>'


def summary_cell(kpi_id: str, row: dict, comparisons: Comparisons) -> str:
    """The summary's comparators cell: England, region and neighbours (DfE) or the CHS areas, each with
    our side of it."""
    if kpi_id in (HEALTH_KPI, SALT_KPI):
        return _health_cell(kpi_id, row, comparisons)
    found = comparisons.of(kpi_id)
    if not found:
        return "<td>&ndash;</td>"
    suppressed = row["suppressed"] in (True, "true")
    ours = None if suppressed else _number(row["value"])
    lines = []
    for comparator, label in SHOWN:
        theirs = found.get(comparator)
        value = _number(theirs["value"]) if theirs else None
        if theirs is None or value is None:
            continue
        lines.append(f"{_text(_name(theirs, label))} {value:.1f}{_side(ours, value)}")
    period = next(iter(found.values()))["comparator_period"]
    if not lines:
        return f'<td><span class="note">DfE {_text(period)}: no value</span></td>'
    return f'<td>{"<br>".join(lines)}<br><span class="note">DfE {_text(period)}</span></td>'


def reference_marks(kpi_id: str, comparisons: Comparisons) -> list[tuple[str, float, str]]:
    """(label, value, colour) of the chart's reference lines: England and the statistical neighbours;
    for the health waits, England, the ICB and our providers (NHS England CHS)."""
    if kpi_id == HEALTH_KPI:
        return [
            (f"{_area(r['comparator'], r['comparator_name'])} {_number(r['value']):.1f} "
             f"(CHS {r['comparator_period']})", float(_number(r["value"])), MARK_COLOUR[r["comparator"]])  # type: ignore[arg-type]
            for r in comparisons.all_of(kpi_id)
            if r["comparator"] in MARK_COLOUR and _number(r["value"]) is not None
        ]  # fmt: skip
    found = comparisons.of(kpi_id)
    marks = []
    for comparator, label in (("ENGLAND", "England"), ("STATISTICAL_NEIGHBOURS", "Neighbours")):
        row = found.get(comparator)
        value = _number(row["value"]) if row else None
        if row and value is not None:
            marks.append((f"{label} {value:.1f} ({row['comparator_period']})", float(value), MARK_COLOUR[comparator]))
    return marks


def _cell(found: dict[str, dict], comparator: str) -> str:
    row = found.get(comparator)
    value = _number(row["value"]) if row else None
    if row is None or value is None:
        return '<td class="num">no value</td>'
    extra = ""
    if comparator == "STATISTICAL_NEIGHBOURS":
        extra = f'<br><span class="note">{_text(row["neighbours_with_value"])} with a value</span>'
    elif comparator == "REGION":
        extra = f'<br><span class="note">{_text(row["comparator_name"])}</span>'
    return f'<td class="num">{value:.1f}{extra}</td>'


def section(catalogue: list[dict], comparisons: Comparisons) -> str:
    """ "How we compare": every comparator of every KPI the DfE measures, what differs from our measure,
    the sources, and the notices (why comparators are missing)."""
    parts = ["<h2>How we compare</h2>"]
    parts += [f'<p class="note">{_text(n)}</p>' for n in comparisons.notices]
    if not comparisons.rows:
        return "\n".join(parts)
    dfe_rows = [r for r in comparisons.rows if r["kpi_id"] != HEALTH_KPI]
    if not dfe_rows:
        parts.append(health_section(comparisons))
        parts.append(f'<p class="note">{_text(OGL_LINE)}</p>')
        return "\n".join(parts)
    parts.append(
        '<p class="note">The DfE\'s published figures for the latest period it has published, beside the KPIs '
        "it measures: England, our region, the simple mean of our statistical neighbours that have a value "
        "(how many had one), and our own local authority as the DfE published it (from the SEN2 return). "
        "Where the DfE's measure differs from ours, the last column says how.</p>"
        "<table><thead><tr><th>KPI</th><th>DfE period</th><th>England</th><th>Region</th>"
        "<th>Statistical neighbours</th><th>Our LA (DfE)</th><th>How the DfE's measure differs</th></tr></thead><tbody>"
    )
    names = {k["kpi_id"]: k["kpi_name"] for k in catalogue}
    for kpi_id in dict.fromkeys(r["kpi_id"] for r in dfe_rows):
        found = comparisons.of(kpi_id)

        first = next(iter(found.values()))
        parts.append(
            f'<tr><td>{_text(names.get(kpi_id, kpi_id))}<br><span class="note">{_text(kpi_id)}</span></td>'
            f"<td>{_text(first['comparator_period'])}</td>"
            + "".join(_cell(found, c) for c in ("ENGLAND", "REGION", "STATISTICAL_NEIGHBOURS", "LA_PUBLISHED"))
            + f"<td>{_text(first['note'])}</td></tr>"
        )
    sources = sorted({r["source"] for r in dfe_rows})
    parts.append("</tbody></table>")
    parts.append(f'<p class="note">Source: Department for Education, {_text("; ".join(sources))}.</p>')
    parts.append(health_section(comparisons))
    parts.append(f'<p class="note">{_text(OGL_LINE)}</p>')
    return "\n".join(parts)


def _share(value) -> str:
    number = _number(value)
    return f"{number:.1f}%" if number is not None else "no value"


def health_section(comparisons: Comparisons) -> str:
    """NHS England's CHS waiting lists: the share waiting over 18 weeks by service and area for the
    CHS month beside this one, and its trend over the last CHS months landed."""
    rows = comparisons.all_of(HEALTH_KPI)
    if not rows:
        return ""
    latest = rows[0]["comparator_period"]
    areas = list(dict.fromkeys((r["comparator"], r["comparator_name"]) for r in rows))
    label = {a: _area(*a) for a in areas}
    left_out = []
    for area in areas:
        total = over_18_weeks(_lines_of(comparisons.waits, latest, *area))
        missing = total[2] if total else list(MATCHED.values())
        if missing:
            left_out.append(f"{label[area]}: left out of the four, no value in the workbook: {', '.join(missing)}.")
    parts = [
        "<h3>Community health waiting lists (NHS England)</h3>",
        f'<p class="note">{_text(rows[0]["note"].split(" Left out, ")[0])}</p>',
        *(f'<p class="note">{_text(line)}</p>' for line in left_out),
        f"<table><thead><tr><th>Service, CHS {_text(latest)}</th>"
        + "".join(f"<th>{_text(label[a])}</th>" for a in areas)
        + "</tr></thead><tbody>",
    ]
    by = {(w["chs_month"], w["area_level"], w["area_name"], w["service"]): w for w in comparisons.waits}
    for service, name in MATCHED.items():
        cells = []
        for level, area in areas:
            found = by.get((latest, level, area, service))
            cells.append(
                f'<td class="num">{_share(found["share_over_18_weeks"])}<br><span class="note">'
                f"{found['waiting']:,} waiting</span></td>"
                if found and found["waiting"] is not None
                else '<td class="num">no value</td>'
            )
        parts.append(f"<tr><td>{_text(name)}</td>{''.join(cells)}</tr>")
    parts.append(
        "<tr><td>The four together (beside our 18-week KPI)</td>"
        + "".join(f'<td class="num">{_share(r["value"])}</td>' for r in rows)
        + "</tr></tbody></table>"
    )
    months = sorted({w["chs_month"] for w in comparisons.waits})
    if len(months) > 1:
        parts.append(
            "<table><thead><tr><th>Four services over 18 weeks, by CHS month</th>"
            + "".join(f"<th>{_text(label[a])}</th>" for a in areas)
            + "</tr></thead><tbody>"
        )
        for month in months:
            cells = []
            for area in areas:
                total = over_18_weeks(_lines_of(comparisons.waits, month, *area))
                cells.append(f'<td class="num">{_share(share(*total[:2]) if total else None)}</td>')
            parts.append(f"<tr><td>{_text(month)}</td>{''.join(cells)}</tr>")
        parts.append("</tbody></table>")
    sources = sorted({r["source"] for r in rows})
    parts.append(f'<p class="note">Source: {_text("; ".join(sources))}.</p>')
    return "\n".join(parts)
