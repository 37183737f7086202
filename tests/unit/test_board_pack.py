"""The board pack escapes every text it shows and never shows RAG by colour alone."""

from __future__ import annotations

import re

from sendboard.publish.board_pack import render

CATALOGUE = [
    {
        "kpi_id": "T1_A",
        "sort_order": "1",
        "theme": "T1",
        "kpi_name": "<script>alert(1)</script> & co",
        "unit": "%",
        "better": "higher",
        "definition": '=HYPERLINK("http://x") "quoted"',
    },
    {
        "kpi_id": "X_B",
        "sort_order": "2",
        "theme": "X",
        "kpi_name": "Counted",
        "unit": "count",
        "better": "lower",
        "definition": "d",
    },
]
ROWS = [
    {
        "period": "2025-03",
        "kpi_id": "T1_A",
        "value": "91.0",
        "target": "90.0",
        "rag": "GREEN",
        "suppressed": "false",
        "direction": "IMPROVING",
        "previous_value": "89.0",
        "version": "1",
        "published_at": "2025-04-02T06:00:00Z",
        "unit": "%",
    },
    {
        "period": "2025-03",
        "kpi_id": "X_B",
        "value": "",
        "target": "20",
        "rag": "SUPPRESSED",
        "suppressed": "true",
        "direction": "",
        "previous_value": "",
        "version": "1",
        "published_at": "2025-04-02T06:00:00Z",
        "unit": "count",
    },
]
QUALITY = {
    "case_management": "2025-03",
    "health_waiting_lists": "2025-03",
    "school_census": None,
    "tables": {
        "case_management": {
            "requests": {
                "rows_read": 10,
                "rows_left_out": 1,
                "left_out_by_rule": [{"rule": "invalid_code", "column": "<b>request_source</b>", "rows": 1}],
            }
        }
    },
    "checks": [{"suite": "marts_board_snapshot", "success": True, "evaluated": 9}],
}
HISTORY = {"T1_A": [("2025-02", 89.0), ("2025-03", 91.0)], "X_B": [("2025-02", None), ("2025-03", None)]}


def test_text_is_escaped_and_rag_is_a_word():
    page = render("2025-03", ROWS, CATALOGUE, HISTORY, QUALITY, [])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<b>request_source</b>" not in page and "&lt;b&gt;request_source&lt;/b&gt;" in page
    assert ">GREEN</span>" in page and ">SUPPRESSED</span>" in page
    assert ">suppressed</td>" in page  # the value cell of a suppressed KPI says so


def test_charts_are_inline_svg_with_alt_text_and_nothing_is_fetched():
    page = render("2025-03", ROWS, CATALOGUE, HISTORY, QUALITY, [])
    assert page.count("<svg ") == 2
    assert 'aria-label="Trend of &lt;script&gt;' in page
    assert "2025-02: 89.0; 2025-03: 91.0" in page
    assert "<img" not in page and "<link" not in page and "https://" not in page


def test_trend_chart_points_gaps_and_target_are_where_the_values_put_them():
    import re

    from sendboard.publish.board_pack import trend_svg

    history = [("2025-01", 0.0), ("2025-02", 50.0), ("2025-03", None), ("2025-04", 100.0)]
    svg = trend_svg({"kpi_name": "K", "unit": "%"}, history, 80.0)
    # y ticks 0, 25, 50, 75, 100 (step 100/4 = 25) span the drawing area y = 176 (0) .. 14 (100):
    # y(v) = 176 - v / 100 * 162, so 0 -> 176.0, 50 -> 95.0, 100 -> 14.0, target 80 -> 176 - 129.6 = 46.4.
    # x spreads 4 months over 48 .. 410: 48.0, 168.7 (48 + 362/3), 289.3, 410.0
    assert re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg) == [
        ("48.0", "176.0"),
        ("168.7", "95.0"),
        ("410.0", "14.0"),
    ]
    # March has no published value: the line stops at February; April stands alone (a point, no line)
    assert re.findall(r'<polyline points="([^"]+)"', svg) == ["48.0,176.0 168.7,95.0"]
    assert 'y1="46.4" x2="410.0" y2="46.4" stroke="#b3261e" stroke-dasharray' in svg
    assert [t for t in re.findall(r'text-anchor="end">([\d.]+)</text>', svg)] == ["0", "25", "50", "75", "100"]
    assert "2025-03: no published value" in svg
    # each point's tooltip names its month and published value; the gap has none
    assert re.findall(r"<title>([^<]+)</title>", svg) == ["2025-01: 0", "2025-02: 50", "2025-04: 100"]


def month(period: str, kpi_id: str, value, suppressed: bool = False) -> dict:
    return {"period": period, "kpi_id": kpi_id, "value": value, "suppressed": suppressed}


def test_the_packs_warnings_come_from_published_figures_and_name_suppressed_kpis_without_figures():
    from decimal import Decimal

    from sendboard.publish.board_pack import published_warnings

    catalogue = [
        {"kpi_id": k, "unit": u}
        for k, u in (
            ("A", "%"),
            ("B", "%"),
            ("C", "count"),
            ("D", "count"),
            ("S", "%"),
            ("U", "%"),
            ("V", "count"),
            ("W", "%"),
        )
    ]
    history = [
        month("2024-12", "A", Decimal("1.0")),  # 2025-01 was never published
        # A: 60.0 -> 80.0 is 20 points, a warning; B: 60.0 -> 79.9 is 19.9, none
        month("2025-02", "A", Decimal("60.0")),
        month("2025-03", "A", Decimal("80.0")),
        month("2025-02", "B", Decimal("60.0")),
        month("2025-03", "B", Decimal("79.9")),
        # counts: C 10 -> 8 is 20% of 10, a warning; D 10 -> 9 is 10%, none
        month("2025-02", "C", Decimal("10")),
        month("2025-03", "C", Decimal("8")),
        month("2025-02", "D", Decimal("10")),
        month("2025-03", "D", Decimal("9")),
        # suppressed one month or both: named, with no figure, whatever the restricted change was
        month("2025-02", "S", None, True),
        month("2025-03", "S", Decimal("42.5")),
        month("2025-02", "U", Decimal("16.7")),
        month("2025-03", "U", None, True),
        month("2025-02", "V", None, True),
        month("2025-03", "V", None, True),
        # W: no February publication, nothing to compare
        month("2025-03", "W", Decimal("50.0")),
    ]
    checked = "month-on-month change is checked by the data team on the restricted figures, not shown here"
    assert published_warnings("2025-03", catalogue, history) == [
        "months not published before 2025-03: 2025-01",
        "A moved from 60.0 to 80.0 between 2025-02 and 2025-03: please check",
        "C moved from 10 to 8 between 2025-02 and 2025-03: please check",
        f"S: suppressed in 2025-02; its {checked}",
        f"U: suppressed in 2025-03; its {checked}",
        f"V: suppressed in 2025-02 and 2025-03; its {checked}",
    ]


def spc_chart(values, months, better="higher", target=None, rebase=(), period="2025-05"):
    from sendboard.publish import variation

    kpi = {"kpi_id": "T1_A", "better": better}
    history = [{"period": m, "kpi_id": "T1_A", "value": v} for m, v in zip(months, values)]
    return variation.kpi_chart(kpi, history, months[-1] if months else period, target, list(rebase), True)


MONTHS5 = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]


def test_the_xmr_chart_draws_the_mean_and_limits_where_the_values_put_them():
    from sendboard.publish.board_pack import trend_svg

    found = spc_chart([2, 4, 3, 5, 4], MONTHS5)
    svg = trend_svg(CATALOGUE[0], list(zip(MONTHS5, [2.0, 4.0, 3.0, 5.0, 4.0])), None, found)
    # mean 3.6, limits -0.39 and 7.59; ticks -2..8 (step 2): y(v) = 176 - (v + 2) x 16.2
    assert [t for t in re.findall(r'text-anchor="end">(-?[\d.]+)</text>', svg)] == ["-2", "0", "2", "4", "6", "8"]
    assert '<line x1="48.0" y1="85.3" x2="410.0" y2="85.3" stroke="#7b7d7d"/>' in svg  # the mean
    assert '<line x1="48.0" y1="20.6" x2="410.0" y2="20.6" stroke="#7b7d7d" stroke-dasharray="3 2"/>' in svg
    assert '<line x1="48.0" y1="149.9" x2="410.0" y2="149.9" stroke="#7b7d7d" stroke-dasharray="3 2"/>' in svg
    # common cause: grey points; the label says the signal in words
    assert re.findall(r'<circle [^>]*fill="(#\w+)"', svg) == ["#7b7d7d"] * 5
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert label.startswith("XmR chart of ")
    assert "Latest point 2025-05: common cause variation: no significant change; no target to assure." in label
    assert "5 months published in the chart, 0 left out (suppressed or no data)." in label
    assert "Mean 3.60, process limits -0.39 to 7.59 (trial limits: fewer than 13 points)." in label


def test_special_cause_points_are_coloured_and_a_new_baseline_is_a_dotted_line():
    from sendboard.publish.board_pack import trend_svg

    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]
    values = [11, 13, 11, 13, 11, 13, 11, 9, 7, 9, 7, 9, 7, 9]  # shift_high x7 then shift_low x7 (mean 10)
    found = spc_chart(values, months, better="higher", target=20)
    svg = trend_svg(CATALOGUE[0], list(zip(months, map(float, values))), 20.0, found)
    # improvement (blue) then concern (orange)
    assert re.findall(r'<circle [^>]*fill="(#\w+)"', svg) == ["#289de0"] * 7 + ["#fab428"] * 7
    assert "2025-02: 9 (part of a run of 7 points below the mean)" in svg
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    # 20 is above the upper limit 15.32 and higher is better: the target will be missed
    assert "special cause concern, low (part of a run of 7 points below the mean)" in label
    assert "will consistently miss the target unless the process changes" in label
    assert 'stroke-dasharray="1 2"' not in svg
    rebased = spc_chart(values, months, rebase=["2024-08"])
    assert svg != trend_svg(CATALOGUE[0], list(zip(months, map(float, values))), 20.0, rebased)
    assert (
        trend_svg(CATALOGUE[0], list(zip(months, map(float, values))), 20.0, rebased).count('stroke-dasharray="1 2"')
        == 1
    )


def test_the_pack_leads_with_the_making_data_count_matrix_and_icons():
    found = {"T1_A": spc_chart([2, 4, 3, 5, 4], MONTHS5, target=8.0), "X_B": spc_chart([], [], better="context")}
    history = {"T1_A": list(zip(MONTHS5, [2.0, 4.0, 3.0, 5.0, 4.0])), "X_B": [(m, None) for m in MONTHS5]}
    page = render("2025-05", [dict(r, period="2025-05") for r in ROWS], CATALOGUE, history, QUALITY, [], found)
    assert page.index("<h2>Making Data Count summary</h2>") < page.index("<h2>Summary</h2>")
    matrix = re.search(r'<table class="matrix">.*?</table>', page, re.S).group(0)
    rows = {re.search(r"<tr><th>([^<]+)</th>", r).group(1): r for r in re.findall(r"<tr><th>.*?</tr>", matrix)}
    # T1_A: common cause, target 8 above the limit 7.59 with higher better: will miss; X_B has no chart
    cells = re.findall(r"<td>(.*?)</td>", rows["Common cause"])
    assert "T1_A" in cells[0] and all("T1_A" not in c for c in cells[1:])
    assert "X_B" in re.findall(r"<td>(.*?)</td>", rows["No published value this month"])[3]
    assert 'aria-label="Variation: common cause variation: no significant change"' in page
    assert 'aria-label="Assurance: will consistently miss the target unless the process changes"' in page
    assert "5 months published; 0 left out (suppressed or no data)." in page
