"""The board pack escapes every text it shows and never shows RAG by colour alone."""

from __future__ import annotations

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
