"""The DfE comparators in the board pack: beside each KPI's value in the summary, as labelled reference
lines on its chart, and a "How we compare" section with the DfE's notes, the sources and the Open
Government Licence attribution.

"Above" or "below" is said only of a value that is published: of a suppressed one, the pack says
nothing, not even on which side of England it lies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."
SHOWN = (("ENGLAND", "England"), ("REGION", None), ("STATISTICAL_NEIGHBOURS", "Neighbours"))
# the chart's reference lines: teal for England, purple for the neighbours (the target is red, dashed)
MARK_COLOUR = {"ENGLAND": "#00727a", "STATISTICAL_NEIGHBOURS": "#6a3d9a"}


@dataclass(frozen=True)
class Comparisons:
    rows: list[dict] = field(default_factory=list)  # board_comparators.csv's rows of the version
    notices: list[str] = field(default_factory=list)  # why some or all are missing

    def of(self, kpi_id: str) -> dict[str, dict]:
        return {r["comparator"]: r for r in self.rows if r["kpi_id"] == kpi_id}


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


def summary_cell(kpi_id: str, row: dict, comparisons: Comparisons) -> str:
    """The summary's "DfE comparators" cell: England, region and neighbours, each with our side of it."""
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
    """(label, value, colour) of the chart's reference lines: England and the statistical neighbours."""
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
    parts.append(
        '<p class="note">The DfE\'s published figures for the latest period it has published, beside the KPIs '
        "it measures: England, our region, the simple mean of our statistical neighbours that have a value "
        "(how many had one), and our own local authority as the DfE published it (from the SEN2 return). "
        "Where the DfE's measure differs from ours, the last column says how.</p>"
        "<table><thead><tr><th>KPI</th><th>DfE period</th><th>England</th><th>Region</th>"
        "<th>Statistical neighbours</th><th>Our LA (DfE)</th><th>How the DfE's measure differs</th></tr></thead><tbody>"
    )
    names = {k["kpi_id"]: k["kpi_name"] for k in catalogue}
    for kpi_id in dict.fromkeys(r["kpi_id"] for r in comparisons.rows):
        found = comparisons.of(kpi_id)

        first = next(iter(found.values()))
        parts.append(
            f'<tr><td>{_text(names.get(kpi_id, kpi_id))}<br><span class="note">{_text(kpi_id)}</span></td>'
            f"<td>{_text(first['comparator_period'])}</td>"
            + "".join(_cell(found, c) for c in ("ENGLAND", "REGION", "STATISTICAL_NEIGHBOURS", "LA_PUBLISHED"))
            + f"<td>{_text(first['note'])}</td></tr>"
        )
    sources = sorted({r["source"] for r in comparisons.rows})
    parts.append("</tbody></table>")
    parts.append(f'<p class="note">Source: Department for Education, {_text("; ".join(sources))}.</p>')
    parts.append(f'<p class="note">{_text(OGL_LINE)}</p>')
    return "\n".join(parts)
