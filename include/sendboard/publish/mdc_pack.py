"""Making Data Count in the board pack: the variation and assurance icons, the summary matrix, and
the words that say each chart's signal (for the matrix, the tooltips and the charts' aria-labels).

Icons are inline SVG in the NHS style (no image files: the pack stays one self-contained file):
orange for concern, blue for improvement, purple for neutral special cause and grey for common
cause, with H or L for a high or low special cause; assurance P (blue), F (orange) or ? (grey).
Every icon also says what it means in words (aria-label and title), never by colour alone.
"""

from __future__ import annotations

import html

BLUE, ORANGE, GREY, PURPLE = "#289de0", "#fab428", "#7b7d7d", "#361475"
POINT_COLOUR = {
    "special_cause_improvement": BLUE,
    "special_cause_concern": ORANGE,
    "special_cause_neutral_high": PURPLE,
    "special_cause_neutral_low": PURPLE,
    "common_cause": GREY,
}
VARIATION = {
    "common_cause": ("common cause variation: no significant change", GREY, ""),
    "improvement_high": ("special cause improvement, high", BLUE, "H"),
    "improvement_low": ("special cause improvement, low", BLUE, "L"),
    "concern_high": ("special cause concern, high", ORANGE, "H"),
    "concern_low": ("special cause concern, low", ORANGE, "L"),
    "neutral_high": ("special cause variation, high (neither better nor worse)", PURPLE, "H"),
    "neutral_low": ("special cause variation, low (neither better nor worse)", PURPLE, "L"),
}
ASSURANCE = {
    "consistent_pass": ("will consistently meet the target", BLUE, "P"),
    "inconsistent": ("hit and miss: will meet the target only some months", GREY, "?"),
    "consistent_fail": ("will consistently miss the target unless the process changes", ORANGE, "F"),
}
RULE_WORDS = {
    "astronomical_high": "above the upper process limit",
    "astronomical_low": "below the lower process limit",
    "trend_increasing": "part of a run of 7 rising points",
    "trend_decreasing": "part of a run of 7 falling points",
    "two_in_three_high": "2 of 3 points close to the upper limit",
    "two_in_three_low": "2 of 3 points close to the lower limit",
    "shift_high": "part of a run of 7 points above the mean",
    "shift_low": "part of a run of 7 points below the mean",
}
# the matrix: variation rows, assurance columns, as Making Data Count summaries lay them out
MATRIX_ROWS = (
    ("Special cause concern", ("concern_high", "concern_low")),
    ("Special cause improvement", ("improvement_high", "improvement_low")),
    ("Special cause, neither", ("neutral_high", "neutral_low")),
    ("Common cause", ("common_cause",)),
    ("No published value this month", ("",)),
)
MATRIX_COLUMNS = (
    ("Will miss the target", "consistent_fail"),
    ("Hit and miss", "inconsistent"),
    ("Will meet the target", "consistent_pass"),
    ("No target", ""),
)


def _icon(words: str, colour: str, letter: str, kind: str) -> str:
    text = html.escape(f"{kind}: {words}")
    return (
        f'<svg role="img" aria-label="{text}" viewBox="0 0 24 24" width="22" height="22" class="icon">'
        f"<title>{text}</title>"
        f'<circle cx="12" cy="12" r="10.5" fill="#fff" stroke="{colour}" stroke-width="2.5"/>'
        + (f'<text x="12" y="16.5" font-size="13" font-weight="bold" text-anchor="middle" fill="{colour}">'
           f"{letter}</text>" if letter else f'<circle cx="12" cy="12" r="3.5" fill="{colour}"/>')
        + "</svg>"
    )  # fmt: skip


def variation_icon(icon: str | None) -> str:
    if not icon:
        return '<span class="note">no value this month</span>'
    words, colour, letter = VARIATION[icon]
    return _icon(words, colour, letter, "Variation")


def assurance_icon(assurance: str | None) -> str:
    if not assurance:
        return '<span class="note">&ndash;</span>'
    words, colour, letter = ASSURANCE[assurance]
    return _icon(words, colour, letter, "Assurance")


def variation_words(icon: str | None) -> str:
    return VARIATION[icon][0] if icon else "no published value this month (suppressed or no data)"


def assurance_words(assurance: str | None) -> str:
    return ASSURANCE[assurance][0] if assurance else "no target to assure"


def matrix(entries: list[tuple[str, str, str | None, str | None]]) -> str:
    """The summary matrix: entries are (kpi_id, kpi_name, variation icon, assurance)."""
    head = "".join(f"<th>{html.escape(title)}</th>" for title, _ in MATRIX_COLUMNS)
    parts = [f'<table class="matrix"><thead><tr><th>Variation \\ assurance</th>{head}</tr></thead><tbody>']
    for title, icons in MATRIX_ROWS:
        cells = []
        for _, assurance in MATRIX_COLUMNS:
            names = [
                f"{html.escape(name)} <span class='note'>{html.escape(kpi_id)}</span>"
                for kpi_id, name, icon, found in entries
                if (icon or "") in icons and (found or "") == assurance
            ]
            cells.append(f"<td>{'<br>'.join(names)}</td>")
        parts.append(f"<tr><th>{html.escape(title)}</th>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


HOW_TO_READ = (
    "How to read these charts (NHS England's Making Data Count). Each chart shows the published "
    "values (dots), their mean (solid grey line) and the process limits (dashed grey lines), within "
    "which a stable process varies by chance. A blue dot is special cause improvement, orange special "
    "cause concern, purple a special cause on a measure that is neither better nor worse, grey common "
    "cause: a point is special cause when it is outside the limits, part of 7 points rising or falling, "
    "part of 7 points on one side of the mean, or one of 2 out of 3 points close to a limit. The "
    "variation icon says what the latest month shows (H or L for high or low); the assurance icon says "
    "whether, as the process runs now, the target will be met (P), missed (F) or hit and miss (?). A "
    "vertical dotted line is a new baseline the board named. A month without a published value "
    "(suppressed or no data) is left out of the chart and its limits, and is counted under the chart. "
    "Fewer than 13 points: trial limits."
)
