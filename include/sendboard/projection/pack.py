"""The short projection pack: one self-contained HTML page (no script, nothing fetched) and its PDF.
It shows the history and the fan (median, 80% and 95%) in total and by placement category, the cost
table and the track record. Every figure comes from the published (rounded) rows."""

from __future__ import annotations

from html import escape

from sendboard.projection.categories import CATEGORIES

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 60, 24, 12
CSS = (
    "body{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:1.5rem auto;color:#212b32;"
    "line-height:1.4}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}"
    "table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #aeb7bd;"
    "padding:.2rem .45rem;text-align:right}th:first-child,td:first-child{text-align:left}"
    ".note{color:#4c6272;font-size:.85rem}svg{max-width:100%}"
    "@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}"
)


def _text(value) -> str:
    return escape(str(value), quote=True)


def _money(value: int) -> str:
    return f"£{value / 1_000_000:,.1f}m"


def fan_svg(title: str, history: list[tuple[str, int]], fan: list[dict]) -> str:
    """History as a line, then the median with its 80% and 95% bands. history: (month, count)."""
    months = [m for m, _ in history] + [r["projected_month"] for r in fan]
    values = [v for _, v in history] + [int(r[k]) for r in fan for k in ("lower_95", "upper_95")]
    if not months or not values:
        return ""
    low, high = min(values) * 0.95, max(values) * 1.05 or 1
    x = {m: LEFT + i * (WIDTH - LEFT - 10) / max(len(months) - 1, 1) for i, m in enumerate(months)}

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low or 1))

    def band(lower: str, upper: str) -> str:
        points = [f"{x[r['projected_month']]:.1f},{y(int(r[upper])):.1f}" for r in fan]
        points += [f"{x[r['projected_month']]:.1f},{y(int(r[lower])):.1f}" for r in reversed(fan)]
        return " ".join(points)

    past = " ".join(f"{x[m]:.1f},{y(v):.1f}" for m, v in history)
    median = " ".join(f"{x[r['projected_month']]:.1f},{y(int(r['median'])):.1f}" for r in fan)
    labels = "".join(
        f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10">{v:,.0f}</text>'
        for v in (low, (low + high) / 2, high)
    )
    ticks = "".join(
        f'<text x="{x[m]:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="10">{_text(m[:4])}</text>'
        for m in months
        if m.endswith("-01")
    )
    return (
        f'<svg role="img" aria-label="{_text(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}"><title>{_text(title)}</title>{labels}{ticks}'
        f'<polygon points="{band("lower_95", "upper_95")}" fill="#c8dff2"/>'
        f'<polygon points="{band("lower_80", "upper_80")}" fill="#8fbde6"/>'
        f'<polyline points="{past}" fill="none" stroke="#212b32" stroke-width="2"/>'
        f'<polyline points="{median}" fill="none" stroke="#005eb8" stroke-width="2" stroke-dasharray="5 3"/></svg>'
    )


def render(
    month: str,
    rows: list[dict],
    history: list[tuple[str, int]],
    costs: list[dict],
    record: list[dict],
    notes: dict,
    year_ago: tuple[dict | None, int | None] = (None, None),
) -> str:
    """rows: the published board_projection rows; history: the observed totals up to the month as
    published (none of 1 to 4); costs, record: the published cost rows and track record; year_ago: the
    projection made 12 months before for this month (its published row) and what happened."""
    baseline = [r for r in rows if r["scenario"] == "baseline"]
    total = [r for r in baseline if r["breakdown"] == "total"]
    parts = [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Projected EHC plans, made from {_text(month)}</title><style>{CSS}</style></head><body>",
        f"<h1>Where we are heading: EHC plans in force, projected from {_text(month)}</h1>",
        '<p class="note">A projection, not a target: the median and the ranges 80% and 95% of the '
        "simulated futures fall in, from how plans aged, ceased, moved between placements and arrived "
        "in the extracts up to this month. Projected counts are rounded to the nearest 5. "
        f"New plans grow by {_text(round((notes['trend_of_new_plans_per_year'] - 1) * 100, 1))}% a year: "
        f"{_text(notes['trend_source'])}.</p>",
        "<h2>All plans in force</h2>",
        fan_svg("EHC plans in force: history and projection (median, 80% and 95% ranges)", history, total),
        "<table><tr><th>Month</th><th>Median</th><th>80% range</th><th>95% range</th></tr>",
        *(
            f"<tr><td>{_text(r['projected_month'])}</td><td>{int(r['median']):,}</td>"
            f"<td>{int(r['lower_80']):,} to {int(r['upper_80']):,}</td>"
            f"<td>{int(r['lower_95']):,} to {int(r['upper_95']):,}</td></tr>"
            for r in total[11::12]
        ),
        "</table>",
        "<h2>By placement category (the DSG management plan's)</h2>",
    ]
    for key, label in CATEGORIES:
        fan = [r for r in baseline if r["breakdown"] == "category" and r["category"] == key]
        parts.append(f"<h3>{_text(label)}</h3>{fan_svg(label + ': projection', [], fan)}")
    parts.append(_scenarios(rows, costs, notes.get("scenarios", {})))
    parts += [
        "<h2>Cost of placements</h2>",
        f'<p class="note">At {_text(costs[0]["price_year"] if costs else "")} prices '
        "(dbt/seeds/placement_costs.csv); months already past use the extracts' counts.</p>",
        "<table><tr><th>Financial year</th><th>Category</th><th>Median</th><th>80% range</th></tr>",
        *(
            f"<tr><td>{_text(c['financial_year'])}</td><td>{_text(c['category'])}</td>"
            f"<td>{_money(int(c['median']))}</td>"
            f"<td>{_money(int(c['lower_80']))} to {_money(int(c['upper_80']))}</td></tr>"
            for c in costs
            if c["scenario"] == "baseline"
        ),
        "</table>",
        _year_ago(month, *year_ago),
        "<h2>Track record</h2>",
        '<p class="note">The same method, run at earlier months from the extracts then, against the plans '
        "in force that came.</p>",
        "<table><tr><th>Horizon (months)</th><th>Origins</th><th>Median abs. error</th><th>Bias</th>"
        "<th>80% ranges covering</th><th>95% ranges covering</th></tr>",
        *(
            f"<tr><td>{_text(h)}</td><td>{s['origins']}</td><td>{s['median_abs_error_pc']}%</td>"
            f"<td>{s['bias_pc']}%</td><td>{s['covered_80']:.0%}</td><td>{s['covered_95']:.0%}</td></tr>"
            for h, s in notes["track_record"].items()
        ),
        "</table>",
        "" if notes["track_record"] else '<p class="note">Not yet: a record needs a year of extracts.</p>',
        "</body></html>",
    ]
    return "".join(parts)


def _scenarios(rows: list[dict], costs: list[dict], described: dict[str, str]) -> str:
    """Each scenario beside the baseline: plans in force each January and the cost of each financial year."""
    if not described:
        return ""
    januaries = [r["projected_month"] for r in rows if r["breakdown"] == "total" and r["scenario"] == "baseline"
                 and r["projected_month"].endswith("-01")][:3]  # fmt: skip
    total = {(r["scenario"], r["projected_month"]): int(r["median"]) for r in rows if r["breakdown"] == "total"}
    spend = {(c["scenario"], c["financial_year"]): int(c["median"]) for c in costs if c["category"] == "total"}
    years = sorted({c["financial_year"] for c in costs})
    head = "".join(f"<th>Plans, {_text(j)}</th>" for j in januaries) + "".join(
        f"<th>Cost {_text(y)}</th>" for y in years
    )
    body = "".join(
        f"<tr><td>{_text(name)}</td>"
        + "".join(f"<td>{total.get((name, j), 0):,}</td>" for j in januaries)
        + "".join(f"<td>{_money(spend.get((name, y), 0))}</td>" for y in years)
        + "</tr>"
        for name in ["baseline", *described]
    )
    notes = "".join(f"<li><b>{_text(n)}</b>: {_text(d)}</li>" for n, d in described.items())
    return (
        '<h2>Scenarios</h2><p class="note">The council\'s changes (dbt/seeds/projection_scenarios.csv), each '
        "projected beside the baseline with the same simulated futures, medians shown.</p>"
        f"<ul>{notes}</ul><table><tr><th>Scenario</th>{head}</tr>{body}</table>"
    )


def _year_ago(month: str, made: dict | None, happened: int | None) -> str:
    if made is None or happened is None:
        return (
            '<h2>A year ago we said</h2><p class="note">No projection was published 12 months before '
            f"{_text(month)}: the comparison starts a year after the first projection.</p>"
        )
    inside = int(made["lower_80"]) <= happened <= int(made["upper_80"])
    return (
        "<h2>A year ago we said</h2>"
        f"<p>The projection made from {_text(made['month_made'])} put plans in force at the end of "
        f"{_text(month)} at {int(made['median']):,} (80% range {int(made['lower_80']):,} to "
        f"{int(made['upper_80']):,}). There were {happened:,}: "
        f"{'inside' if inside else 'outside'} the 80% range.</p>"
    )
