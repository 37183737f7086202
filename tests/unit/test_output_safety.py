"""Published CSV text cells cannot run as spreadsheet formulas (issue 6, output safety)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from sendboard.publish import snapshot as publish


def test_a_snapshot_csv_never_starts_a_text_cell_with_a_formula_character():
    # a catalogue edited by hand could give a title like these; numbers must stay numbers
    row = {c: None for c in publish.COLUMNS}
    row.update(
        period="2025-03",
        kpi_id="T1_X",
        theme="T1",
        kpi_name="=1+1",
        unit="%",
        value=Decimal("-0.0"),
        numerator=3,
        denominator=7,
        rag="@RED",
        suppressed=False,
        direction="-worse",
        version=1,
        published_at=datetime(2025, 4, 2, 6, 0, tzinfo=UTC),
    )
    parsed = list(csv.DictReader(io.StringIO(publish.snapshot_csv([row]).decode("utf-8"))))[0]
    assert parsed["kpi_name"] == "'=1+1" and parsed["rag"] == "'@RED" and parsed["direction"] == "'-worse"
    assert parsed["value"] == "-0.0" and parsed["numerator"] == "3"  # numbers are not text cells
    assert parsed["published_at"] == "2025-04-02T06:00:00Z" and parsed["suppressed"] == "false"
