"""The board pack escapes every text it shows and never shows RAG by colour alone."""

from __future__ import annotations

from sendboard.board_pack import render

CATALOGUE = [{"kpi_id": "T1_A", "sort_order": "1", "theme": "T1", "kpi_name": "<script>alert(1)</script> & co",
              "unit": "%", "better": "higher", "definition": '=HYPERLINK("http://x") "quoted"'},
             {"kpi_id": "X_B", "sort_order": "2", "theme": "X", "kpi_name": "Counted", "unit": "count",
              "better": "lower", "definition": "d"}]
ROWS = [{"period": "2025-03", "kpi_id": "T1_A", "value": "91.0", "target": "90.0", "rag": "GREEN",
         "suppressed": "false", "direction": "IMPROVING", "previous_value": "89.0", "version": "1",
         "published_at": "2025-04-02T06:00:00Z", "unit": "%"},
        {"period": "2025-03", "kpi_id": "X_B", "value": "", "target": "20", "rag": "SUPPRESSED",
         "suppressed": "true", "direction": "", "previous_value": "", "version": "1",
         "published_at": "2025-04-02T06:00:00Z", "unit": "count"}]
QUALITY = {"case_management": "2025-03", "health_waiting_lists": "2025-03", "school_census": None,
           "tables": {"case_management": {"requests": {"rows_read": 10, "rows_left_out": 1, "left_out_by_rule": [
               {"rule": "invalid_code", "column": "<b>request_source</b>", "rows": 1}]}}},
           "checks": [{"suite": "marts_board_snapshot", "success": True, "evaluated": 9}], "warnings": []}
HISTORY = {"T1_A": [("2025-02", 89.0), ("2025-03", 91.0)], "X_B": [("2025-02", None), ("2025-03", None)]}


def test_text_is_escaped_and_rag_is_a_word():
    page = render("2025-03", ROWS, CATALOGUE, HISTORY, QUALITY)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<b>request_source</b>" not in page and "&lt;b&gt;request_source&lt;/b&gt;" in page
    assert ">GREEN</span>" in page and ">SUPPRESSED</span>" in page
    assert ">suppressed</td>" in page  # the value cell of a suppressed KPI says so


def test_charts_are_inline_svg_with_alt_text_and_nothing_is_fetched():
    page = render("2025-03", ROWS, CATALOGUE, HISTORY, QUALITY)
    assert page.count("<svg ") == 2
    assert 'aria-label="Trend of &lt;script&gt;' in page
    assert "2025-02: 89.0; 2025-03: 91.0" in page
    assert "<img" not in page and "<link" not in page and "https://" not in page


def test_trend_chart_points_gaps_and_target_are_where_the_values_put_them():
    import re

    from sendboard.board_pack import trend_svg

    history = [("2025-01", 0.0), ("2025-02", 50.0), ("2025-03", None), ("2025-04", 100.0)]
    svg = trend_svg({"kpi_name": "K", "unit": "%"}, history, 80.0)
    # y ticks 0, 25, 50, 75, 100 (step 100/4 = 25) span the drawing area y = 176 (0) .. 14 (100):
    # y(v) = 176 - v / 100 * 162, so 0 -> 176.0, 50 -> 95.0, 100 -> 14.0, target 80 -> 176 - 129.6 = 46.4.
    # x spreads 4 months over 48 .. 410: 48.0, 168.7 (48 + 362/3), 289.3, 410.0
    assert re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg) == [("48.0", "176.0"), ("168.7", "95.0"),
                                                                       ("410.0", "14.0")]
    # March has no published value: the line stops at February; April stands alone (a point, no line)
    assert re.findall(r'<polyline points="([^"]+)"', svg) == ["48.0,176.0 168.7,95.0"]
    assert 'y1="46.4" x2="410.0" y2="46.4" stroke="#b3261e" stroke-dasharray' in svg
    assert [t for t in re.findall(r'text-anchor="end">([\d.]+)</text>', svg)] == ["0", "25", "50", "75", "100"]
    assert "2025-03: no published value" in svg
