"""Making Data Count XmR charts (sendboard.spc), on series worked out by hand.

Constants: limits at mean +- 2.66 x mean moving range (mR); two sigma at mean +- 1.7733 x mR; a
moving range of 3.267 x mR or more is screened out once.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys

import pytest

from sendboard.spc import SHORT_GROUP_POINTS, chart


def rules(values, direction="increase", **options) -> list[str]:
    return [p.rule for p in chart(values, direction, **options).points]


def limits(values, **options) -> tuple[float, ...]:
    p = chart(values, "increase", **options).points[0]
    return p.mean, p.lower_limit, p.upper_limit, p.lower_2sigma, p.upper_2sigma


def test_the_centre_line_limits_and_two_sigma_lines():
    # 2 4 3 5 4: mean 18/5 = 3.6; ranges 2 1 2 1, mR 1.5; limits 3.6 -+ 3.99; two sigma 3.6 -+ 2.66
    assert limits([2, 4, 3, 5, 4]) == pytest.approx((3.6, -0.39, 7.59, 0.94, 6.26))
    assert rules([2, 4, 3, 5, 4]) == [""] * 5


def test_screening_leaves_out_a_large_moving_range_once_and_changes_the_signals():
    values = [4, 6, 4, 6, 4, 6, 4, 6, 4, 36]
    # mean 80/10 = 8; ranges eight 2s and 32: mR 48/9 = 5.333; 32 >= 3.267 x 5.333 = 17.42 is left out,
    # mR 16/8 = 2: limits 8 -+ 5.32, two sigma 8 -+ 3.5467 (4.4533, 11.5467)
    assert limits(values) == pytest.approx((8, 2.68, 13.32, 4.453333, 11.546667))
    # the 4s are beyond two sigma, two of every three below the mean (precedence over the shift of
    # nine points below it); 36 is beyond the upper limit. Lower is better: 36 is concern
    screened = chart(values, "decrease")
    expected = ["two_in_three_low", "shift_low"] * 4 + ["two_in_three_low", "astronomical_high"]
    assert [p.rule for p in screened.points] == expected
    assert screened.points[0].point_type == "special_cause_improvement"
    assert (screened.points[-1].point_type, screened.variation_icon) == ("special_cause_concern", "concern_high")
    # not screened: mR 5.333, limits 8 -+ 14.187, two sigma 8 -+ 9.458: the 4s are not beyond it
    assert limits(values, screen_outliers=False) == pytest.approx((8, -6.186667, 22.186667, -1.457778, 17.457778))
    assert rules(values, "decrease", screen_outliers=False) == ["shift_low"] * 9 + ["astronomical_high"]


def test_a_trend_is_seven_points_each_strictly_above_the_one_before():
    # wide ranges first (0 20 0 20 0 20), then a climb from 9 crossing the mean (11.08) on the way
    climb = [0, 20, 0, 20, 0, 20, 9, 10, 11, 12, 13, 14, 15]
    assert rules(climb) == [""] * 6 + ["trend_increasing"] * 7
    assert chart(climb, "increase").variation_icon == "improvement_high"
    assert rules(climb, "decrease")[-1] == "trend_increasing"
    assert chart(climb, "decrease").points[-1].point_type == "special_cause_concern"
    # six points climbing: no trend; a tie (11, 11) breaks seven into two
    assert rules(climb[:-1]) == [""] * 12
    assert rules([0, 20, 0, 20, 0, 20, 9, 10, 11, 11, 12, 13, 14]) == [""] * 13
    # falling: the same rule the other way
    assert rules([20, 0, 20, 0, 20, 0, 11, 10, 9, 8, 7, 6, 5]) == [""] * 6 + ["trend_decreasing"] * 7


def test_a_shift_is_seven_points_on_one_side_and_a_point_on_the_mean_breaks_it():
    # 11 13 11 13 11 13 11 | 9 7 9 7 9 7 9: mean 140/14 = 10, every range 2 except none: limits 10 -+ 5.32
    seven = [11, 13, 11, 13, 11, 13, 11, 9, 7, 9, 7, 9, 7, 9]
    assert limits(seven) == pytest.approx((10, 4.68, 15.32, 6.453333, 13.546667))
    assert rules(seven) == ["shift_high"] * 7 + ["shift_low"] * 7
    assert chart(seven, "increase").variation_icon == "concern_low"
    # six on each side: nothing
    assert rules([11, 13, 11, 13, 11, 13, 9, 7, 9, 7, 9, 7]) == [""] * 12
    # seven each side, but the fourth of each is exactly the mean (10): runs of three
    assert rules([11, 13, 11, 10, 13, 11, 13, 9, 7, 9, 10, 7, 9, 7]) == [""] * 14


def test_two_in_three_needs_both_points_beyond_two_sigma_and_all_three_on_one_side():
    # 9 11 9 11 9 11 9 11 | 14 14 6 6: mean 10; ranges seven 2s, 3, 0, 8, 0: mR 25/11 = 2.27; 8 >= 7.43
    # is left out, mR 17/10 = 1.7: limits 10 -+ 4.522, two sigma 10 -+ 3.0147 (6.9853, 13.0147)
    values = [9, 11, 9, 11, 9, 11, 9, 11, 14, 14, 6, 6]
    assert limits(values) == pytest.approx((10, 5.478, 14.522, 6.985333, 13.014667))
    # 11 14 14: both 14s beyond two sigma, all three above: special cause. 14 6 (opposite sides) and the
    # two 6s at the end (14 6 6 has a point above; nothing after them) are not
    assert rules(values) == [""] * 8 + ["two_in_three_high"] * 2 + ["", ""]


def test_a_point_beyond_two_sigma_beside_one_beyond_the_limits_is_not_two_in_three():
    # mean 120/12 = 10; ranges eight 2s, 6, 2, 18: mR 42/11 = 3.82, 18 >= 12.47 left out, mR 24/10 = 2.4:
    # limits 10 -+ 6.384 (3.616, 16.384), two sigma 10 -+ 4.256 (5.744, 14.256)
    values = [9, 11, 9, 11, 9, 11, 9, 11, 9, 15, 17, -1]
    assert limits(values) == pytest.approx((10, 3.616, 16.384, 5.744, 14.256))
    assert rules(values) == [""] * 10 + ["astronomical_high", "astronomical_low"]


def test_a_constant_series_is_common_cause_with_or_without_screening():
    # every range 0, mR 0: screening leaves every range out (0 < 3.267 x 0 is false), as the package
    # does, so the limits are undefined; unscreened they sit on the mean
    assert all(math.isnan(x) for x in limits([5] * 13)[1:])
    assert limits([5] * 13, screen_outliers=False) == (5, 5, 5, 5, 5)
    assert rules([5] * 13) == rules([5] * 13, screen_outliers=False) == [""] * 13
    assert chart([5] * 13, "increase", target=6).assurance == "inconsistent"


def test_assurance_compares_the_target_with_the_latest_limits_strictly():
    values = [2, 4, 3, 5, 4]  # limits -0.39 and 7.59
    assert chart(values, "increase", target=-0.5).assurance == "consistent_pass"
    assert chart(values, "increase", target=8).assurance == "consistent_fail"
    assert chart(values, "decrease", target=8).assurance == "consistent_pass"
    assert chart(values, "decrease", target=-0.5).assurance == "consistent_fail"
    assert chart(values, "increase", target=3).assurance == "inconsistent"
    # a target exactly on a limit is inside it
    upper = chart(values, "increase").points[-1].upper_limit
    assert chart(values, "increase", target=upper).assurance == "inconsistent"
    assert chart(values, "decrease", target=upper).assurance == "inconsistent"
    # no target, or a context KPI: no assurance
    assert chart(values, "increase").assurance is None
    assert chart(values, "neutral", target=8).assurance is None


def test_a_neutral_series_has_neutral_high_and_low_points():
    neutral = chart([11, 13, 11, 13, 11, 13, 11, 9, 7, 9, 7, 9, 7, 9], "neutral")
    assert {p.point_type for p in neutral.points} == {"special_cause_neutral_high", "special_cause_neutral_low"}
    assert neutral.variation_icon == "neutral_low"


def test_a_rebase_starts_new_limits_and_no_rule_crosses_it():
    # before: 2 4 3 5 4 (mean 3.6); after: 12 14 13 15 14 (mean 13.6), each with mR 1.5. As one series,
    # 12 would be far beyond the limits; as two baselines, each is common cause
    values = [2, 4, 3, 5, 4, 12, 14, 13, 15, 14]
    flags = [False] * 5 + [True] + [False] * 4
    rebased = chart(values, "increase", target=20, rebase=flags)
    assert [p.baseline for p in rebased.points] == [0] * 5 + [1] * 5
    assert [p.mean for p in rebased.points] == pytest.approx([3.6] * 5 + [13.6] * 5)
    assert (rebased.points[5].lower_limit, rebased.points[5].upper_limit) == pytest.approx((9.61, 17.59))
    assert [p.rule for p in rebased.points] == [""] * 10
    # the assurance uses the latest baseline's limits: 20 > 17.59, so a higher-is-better target fails
    assert rebased.assurance == "consistent_fail"
    # a flag on the first point changes nothing
    assert chart(values, "increase", rebase=[True] + [False] * 9).points[5].baseline == 0


def test_a_baseline_of_fewer_than_13_points_has_trial_limits():
    assert SHORT_GROUP_POINTS == 13
    assert chart([1, 2] * 6, "increase").points[0].short_group is True  # 12 points
    assert chart([1, 2] * 6 + [1], "increase").points[0].short_group is False  # 13 points
    long_then_short = chart([1, 2] * 7 + [5, 6, 5], "increase", rebase=[False] * 14 + [True, False, False])
    assert [p.short_group for p in long_then_short.points] == [False] * 14 + [True] * 3


def run_command(tmp_path, text: str) -> subprocess.CompletedProcess:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "sendboard.spc", str(source), str(target)],
                          capture_output=True, text=True)  # fmt: skip


HEADER = "series_id,date,value,improvement_direction,target,rebase,screen_outliers\n"


def test_the_command_writes_one_row_per_point(tmp_path):
    rows = [f"waits,2025-{m:02d}-01,{v},decrease,3,,\n" for m, v in zip(range(5, 0, -1), [4, 5, 3, 4, 2])]
    done = run_command(tmp_path, HEADER + "".join(rows) + "flat,2025-01-01,7,neutral,,false,false\n")
    assert done.returncode == 0, done.stderr
    out = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    # the rows come out in date order: 2 4 3 5 4, the first test's series
    assert [(r["series_id"], r["date"], r["value"]) for r in out][:5] == [
        ("waits", f"2025-0{m}-01", v) for m, v in zip(range(1, 6), ["2.0", "4.0", "3.0", "5.0", "4.0"])
    ]
    first = out[0]
    assert float(first["mean"]) == pytest.approx(3.6) and float(first["upper_limit"]) == pytest.approx(7.59)
    assert (first["special_cause"], first["rule"], first["point_type"], first["short_group"]) == (
        "false", "", "common_cause", "true")  # fmt: skip
    # lower is better and the target 3 sits inside -0.39..7.59: hit and miss
    assert {(r["variation_icon"], r["assurance"]) for r in out[:5]} == {("common_cause", "inconsistent")}
    # one point: no moving range, so no limits
    assert (out[5]["series_id"], out[5]["mean"], out[5]["upper_limit"], out[5]["assurance"]) == ("flat", "7.0", "", "")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("a,2025-01-01,1,increase,,,\na,2025-01-01,2,increase,,,\n", "series 'a', row 3: date 2025-01-01 is repeated"),
        (
            "a,2025-01-01,1,increase,,,\nb,2025-02-01,n/a,increase,,,\n",
            "series 'b', row 3: value 'n/a' is not a number",
        ),  # fmt: skip
        ("a,2025-01-01,1,upwards,,,\n", "series 'a', row 2: improvement_direction 'upwards' is not increase"),
        ("a,2025-01-01,1,increase,,yes,\n", "series 'a', row 2: rebase 'yes' is not true or false"),
        (
            "a,2025-01-01,1,increase,,,\na,2025-02-01,2,decrease,,,\n",
            "series 'a', row 3: improvement_direction differs",
        ),  # fmt: skip
    ],
)
def test_bad_input_is_an_error_naming_the_series_and_the_row(tmp_path, rows, message):
    done = run_command(tmp_path, HEADER + rows)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "out.csv").exists()
