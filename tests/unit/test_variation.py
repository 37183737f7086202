"""The board's SPC charts come from published values only (sendboard.publish.variation)."""

from __future__ import annotations

from sendboard.publish import variation

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
CATALOGUE = [{"kpi_id": "A", "better": "higher"}, {"kpi_id": "B", "better": "lower"}]
# A: 2 4 [suppressed] 3 5 4; B: 10 12 11 [suppressed] 2 4
VALUES = {"A": [2, 4, None, 3, 5, 4], "B": [10, 12, 11, None, 2, 4]}
HISTORY = [
    {"period": m, "kpi_id": k, "value": v, "suppressed": v is None}
    for k, values in VALUES.items()
    for m, v in zip(MONTHS, values)
]


def summary(period: str, baselines: dict, tmp_path, monkeypatch) -> dict[str, dict]:
    seed = tmp_path / "kpi_spc_baselines.csv"
    seed.write_text(
        "kpi_id,baseline_from,reason\n" + "".join(f"{k},{m},test\n" for k, ms in baselines.items() for m in ms)
    )
    monkeypatch.setattr(variation, "BASELINES_FILE", seed)
    found = variation.charts(period, CATALOGUE, HISTORY, {"A": 5.0, "B": None})
    return {r["kpi_id"]: r for r in variation.month_summary(period, found)}


def test_a_suppressed_month_is_left_out_of_the_series_and_counted(tmp_path, monkeypatch):
    rows = summary("2025-06", {}, tmp_path, monkeypatch)
    # A's series is 2 4 3 5 4 (March left out): mean 3.6, mR 1.5, limits 3.6 -+ 3.99
    assert rows["A"] == {
        "period": "2025-06", "kpi_id": "A", "points": 5, "mean": "3.60", "lower_limit": "-0.39",
        "upper_limit": "7.59", "rule": "", "point_type": "common_cause", "variation_icon": "common_cause",
        "assurance": "inconsistent", "short_group": "true", "baseline_from": "2025-01",
    }  # fmt: skip
    found = variation.charts("2025-06", CATALOGUE, HISTORY, {})
    assert (found[0].months, found[0].months_left_out) == (["2025-01", "2025-02", "2025-04", "2025-05", "2025-06"], 1)


def test_in_the_suppressed_month_the_limits_are_the_published_months_and_nothing_is_said_of_it(tmp_path, monkeypatch):
    # March's summary: A has 2 and 4 only (mean 3, mR 2, limits 3 -+ 5.32); no latest-point columns
    rows = summary("2025-03", {}, tmp_path, monkeypatch)
    assert (rows["A"]["points"], rows["A"]["mean"], rows["A"]["lower_limit"], rows["A"]["upper_limit"]) == (
        2, "3.00", "-2.32", "8.32")  # fmt: skip
    assert (rows["A"]["rule"], rows["A"]["point_type"], rows["A"]["variation_icon"]) == ("", "", "")


def test_a_baseline_named_at_a_suppressed_month_starts_at_the_next_published_one(tmp_path, monkeypatch):
    # B from 2025-04 (suppressed): the new baseline is 2 4 from May, mean 3, limits 3 -+ 5.32
    rows = summary("2025-06", {"B": ["2025-04"]}, tmp_path, monkeypatch)
    assert (rows["B"]["points"], rows["B"]["mean"], rows["B"]["lower_limit"], rows["B"]["upper_limit"]) == (
        5, "3.00", "-2.32", "8.32")  # fmt: skip
    assert rows["B"]["baseline_from"] == "2025-05" and rows["B"]["assurance"] == ""  # B has no target
    # without it, one baseline: 10 12 11 2 4, mean 7.8
    assert summary("2025-06", {}, tmp_path, monkeypatch)["B"]["mean"] == "7.80"


def test_the_screening_option_is_read_from_its_seed(tmp_path, monkeypatch):
    seed = tmp_path / "kpi_spc_options.csv"
    seed.write_text("kpi_id,screen_outliers\nA,false\nB,true\n")
    monkeypatch.setattr(variation, "OPTIONS_FILE", seed)
    assert variation.screening() == {"A": False, "B": True}


def test_the_committed_seeds_name_known_kpis():
    from sendboard.publish.catalogue import kpi_catalogue

    known = {k["kpi_id"] for k in kpi_catalogue()}
    assert set(variation.baselines()) <= known and set(variation.screening()) <= known
