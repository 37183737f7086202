"""The annual projection (sendboard.projection): by hand on regular series, its command's refusals, and
against the issue's benchmark on the DfE's real caseload.csv (../shared/reference_data/dfe/)."""

from __future__ import annotations

import csv
import io
import re
import statistics
import zipfile
from pathlib import Path

import pytest

from sendboard.contract import SETTING_TYPES
from sendboard.projection.__main__ import main
from sendboard.projection.categories import AGE_GROUPS, CATEGORIES, CATEGORY_OF_SETTING, age_group

DFE = Path(__file__).resolve().parents[3] / "shared" / "reference_data" / "dfe"
RELEASE = DFE / "education-health-and-care-plans_2025.zip"


def test_every_setting_code_has_one_template_category_and_the_seven_are_the_template_s():
    assert set(CATEGORY_OF_SETTING) == set(SETTING_TYPES)
    assert set(CATEGORY_OF_SETTING.values()) == {key for key, _ in CATEGORIES}
    assert [label for _, label in CATEGORIES[:7]] == [
        "Mainstream schools or academies",
        "Resourced provision or SEN units",
        "Maintained special schools or special academies",
        "Non-maintained or independent special schools",
        "Hospital schools or alternative provision",
        "Post-16 and further education",
        "Other placements or direct payments",
    ]
    not_placed = {s for s, c in CATEGORY_OF_SETTING.items() if c == "not_placed"}
    assert not_placed == {"NEET", "AWAITING_PLACEMENT", "ELECTIVE_HOME_EDUCATION", "EMPLOYMENT"}
    assert CATEGORY_OF_SETTING["EARLY_YEARS"] == "other_or_direct_payments"


@pytest.mark.parametrize(
    ("age", "group"),
    [(0, "under_5"), (4, "under_5"), (5, "5_10"), (10, "5_10"), (11, "11_15"), (15, "11_15"), (16, "16_19"),
     (19, "16_19"), (20, "20_25"), (25, "20_25")],
)  # fmt: skip
def test_age_groups_are_the_template_s_with_their_edges(age, group):
    assert age_group(age) == group
    assert [g for g, *_ in AGE_GROUPS] == ["under_5", "5_10", "11_15", "16_19", "20_25"]


def test_an_age_beyond_25_has_no_group():
    with pytest.raises(ValueError, match="age 26 is outside"):
        age_group(26)


def run(tmp_path: Path, rows: list[tuple[str, int, float]]) -> list[dict]:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(source, "w", newline="") as handle:
        csv.writer(handle).writerows([("series_id", "year", "value"), *rows])
    assert main([str(source), str(out)]) == 0
    return list(csv.DictReader(out.open()))


def test_regular_series_are_projected_exactly(tmp_path):
    # England grows 10 % a year; six areas grow with it, six grow 20 % a year. A difference that has
    # always carried over in full (the weight is 1) carries over in full: 207.36 * 1.2 = 248.832,
    # * 1.2^3 = 358.31808.
    rows = [("ENGLAND", 2019 + k, 1000 * 1.1**k) for k in range(5)]
    rows += [(f"A{i}", 2019 + k, 100 * 1.1**k) for i in range(6) for k in range(5)]
    rows += [(f"B{i}", 2019 + k, 100 * 1.2**k) for i in range(6) for k in range(5)]
    out = {(r["series_id"], r["horizon"]): r for r in run(tmp_path, rows)}
    assert len(out) == 13 * 3
    assert out[("B0", "1")]["year"] == "2024" and out[("B0", "1")]["forecast"] == "248.8"
    assert out[("B5", "3")]["year"] == "2026" and out[("B5", "3")]["forecast"] == "358.3"
    assert out[("A0", "3")]["forecast"] == "194.9"  # 146.41 * 1.331 = 194.87
    assert out[("ENGLAND", "2")]["forecast"] == "1771.6"  # 1464.1 * 1.21
    # the intervals are around the forecast: their width comes from the record, which has errors (at
    # origin 2020 no difference had yet been seen to carry over, so B was forecast at England's rate)
    b = out[("B0", "2")]
    bounds = [float(b[k]) for k in ("lower_95", "lower_80", "forecast", "upper_80", "upper_95")]
    assert bounds == sorted(bounds) and bounds[0] < bounds[-1] and b["forecast"] == "298.6"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("series_id,year\nA,2020\n", "missing column(s) value"),
        ("series_id,year,value\nA,2020,10\nA,twenty,11\n", "row 3, series 'A': year is not a whole number"),
        ("series_id,year,value\nA,2020,-1\n", "row 2, series 'A': value is not a count"),
        ("series_id,year,value\nA,2020,10\nA,2020,11\n", "row 3, series 'A': year 2020 is repeated"),
        ("series_id,year,value\nA,2020,10\n", "too little history"),
    ],
)
def test_a_bad_input_file_is_refused_naming_its_row(tmp_path, capsys, text, message):
    source = tmp_path / "in.csv"
    source.write_text(text)
    assert main([str(source), str(tmp_path / "out.csv")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def caseload() -> dict[str, dict[int, float]]:
    """Plans in force each January, England and each LA (old LA code), read here with the csv module."""
    if not RELEASE.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")
    with zipfile.ZipFile(RELEASE) as release:
        text = release.read("data/caseload.csv").decode("utf-8-sig")
    series: dict[str, dict[int, float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["breakdown_topic"] != "All EHC plans" or not row["ehcplans"].isdigit():
            continue
        area = {"National": "ENGLAND", "Local authority": row["old_la_code"]}.get(row["geographic_level"])
        if area:
            series.setdefault(area, {})[int(row["time_period"][:4]) + 1] = float(row["ehcplans"])
    return series


def test_on_the_real_release_it_beats_pooled_growth_and_its_intervals_cover(tmp_path):
    series = caseload()
    las = [a for a in series if a != "ENGLAND" and all(y in series[a] for y in range(2019, 2026))]
    assert len(las) == 147  # the count of LAs with every year
    england = series["ENGLAND"]
    method, benchmark, bias, covered_80, covered_95 = {}, {}, {}, [], []
    for origin in (2022, 2023):
        rows = [(a, y, v) for a in [*las, "ENGLAND"] for y, v in series[a].items() if y <= origin]
        out = run(tmp_path, rows)
        growth = (england[origin] / england[origin - 3]) ** (1 / 3)
        for horizon in (1, 2, 3):
            year = origin + horizon
            if year > 2025:
                continue
            forecasts = {r["series_id"]: r for r in out if r["horizon"] == str(horizon)}
            ours = [(float(forecasts[a]["forecast"]) - series[a][year]) / series[a][year] * 100 for a in las]
            pooled = [(series[a][origin] * growth**horizon - series[a][year]) / series[a][year] * 100 for a in las]
            method[origin, horizon] = statistics.median(abs(e) for e in ours)
            benchmark[origin, horizon] = statistics.median(abs(e) for e in pooled)
            bias[origin, horizon] = (statistics.mean(ours), statistics.mean(pooled))
            for a in las:
                row, actual = forecasts[a], series[a][year]
                covered_80.append(float(row["lower_80"]) <= actual <= float(row["upper_80"]))
                covered_95.append(float(row["lower_95"]) <= actual <= float(row["upper_95"]))
    # the benchmark as the issue measured it: 3.2 %, 5.2 %, 6.6 % from 2022; 3.4 % and 5.9 % from 2023
    assert [round(benchmark[k], 1) for k in sorted(benchmark)] == [3.2, 5.2, 6.6, 3.4, 5.9]
    assert statistics.mean(method.values()) <= 0.98 * statistics.mean(benchmark.values())
    assert all(method[k] <= 1.10 * benchmark[k] for k in method)
    assert all(abs(ours) <= 3 or abs(ours) <= abs(pooled) for ours, pooled in bias.values())
    assert len(covered_80) == 147 * 5
    assert 0.70 <= statistics.mean(covered_80) <= 0.90
    assert statistics.mean(covered_95) >= 0.88


def test_the_sample_s_placement_costs_cover_every_category_and_are_marked_illustrative():
    from sendboard.projection.costs import SEED, read_costs

    costs, price_year = read_costs()
    assert len(costs) == len(CATEGORIES) and price_year == "2025-26"
    assert costs[-1] == 0  # not_placed: no placement funded
    assert all("illustrative" in row["note"] or row["category"] == "not_placed" for row in csv.DictReader(SEED.open()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[:-1], "no annual_cost_gbp for not_placed"),
        (lambda rows: [*rows, rows[1]], "row 10, category 'mainstream': the category is given twice"),
        (lambda rows: [rows[0], ["special", "1", "2025-26", ""], *rows[2:]], "row 2, category 'special': not a DSG"),
        (lambda rows: [rows[0], ["mainstream", "-5", "2025-26", ""], *rows[2:]], "is not a sum of money"),
        (lambda rows: [rows[0], ["mainstream", "9000", "2024-25", ""], *rows[2:]], "price_year must be one year"),
    ],
)
def test_a_placement_costs_file_that_breaks_its_form_is_refused_naming_the_row(tmp_path, change, message):
    from sendboard.errors import ProjectionInputError
    from sendboard.projection.costs import SEED, read_costs

    rows = list(csv.reader(SEED.open()))
    edited = tmp_path / "placement_costs.csv"
    with open(edited, "w", newline="") as handle:
        csv.writer(handle).writerows(change(rows))
    with pytest.raises(ProjectionInputError, match=re.escape(message)):
        read_costs(edited)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("baseline,x,new_plans,2027-04,-10,,,", "row 2, scenario 'baseline': each scenario needs a name of its own"),
        ("a,x,grow,2027-04,-10,,,", "row 2, scenario 'a': kind is not one of new_plans, move_places"),
        ("a,x,new_plans,April 2027,-10,,,", "from_month 'April 2027' is not YYYY-MM"),
        ("a,x,new_plans,2027-04,-100,,,", "percent must be more than -100"),
        ("a,x,move_places,2027-09,,0,independent_special,maintained_special", "places must be a whole number"),
        ("a,x,move_places,2027-09,,60,independent_special,independent_special", "must be two DSG categories"),
    ],
)
def test_a_scenario_that_breaks_its_form_is_refused_naming_the_row(tmp_path, row, message):
    from sendboard.errors import ProjectionInputError
    from sendboard.projection.scenarios import read_scenarios

    path = tmp_path / "projection_scenarios.csv"
    path.write_text("scenario,description,kind,from_month,percent,places,from_category,to_category\n" + row + "\n")
    with pytest.raises(ProjectionInputError, match=re.escape(message)):
        read_scenarios(path)


def test_a_scenario_starts_in_its_month_counted_from_the_origin_and_a_past_one_at_once():
    from sendboard.projection.scenarios import read_scenarios

    fewer, school = read_scenarios()  # the sample's: April 2027 and September 2027
    assert fewer.change("2026-10").start == 6 and fewer.change("2026-10").arrivals_factor == 0.9
    moved = school.change("2026-10")
    assert (moved.start, moved.places, moved.from_category, moved.to_category) == (11, 60, 3, 2)
    assert school.change("2028-01").start == 1
