"""The disclosure check proves that no suppressed figure follows from the month's published ones."""

from __future__ import annotations

from sendboard.publish.disclosure import Relation, check_month, relations, revealed


def row(kpi_id: str, numerator, denominator, suppressed: bool = False) -> dict:
    return {"kpi_id": kpi_id, "numerator": numerator, "denominator": denominator, "suppressed": suppressed}


def test_the_relations_are_read_from_the_dbt_seed():
    assert relations() == [
        Relation(
            "census_pupils_by_provision",
            ("T1_SEN_SUPPORT_RATE", "denominator"),
            (("T3_SUSPENSION_RATE_SEN", "denominator"), ("T3_SUSPENSION_RATE_NO_SEN", "denominator")),
        ),
        Relation(
            "census_pupils_with_sen",
            ("T3_SUSPENSION_RATE_SEN", "denominator"),
            (("X_CENSUS_EHCP_MATCHED", "denominator"), ("T1_SEN_SUPPORT_RATE", "numerator")),
        ),
        Relation(
            "plans_active_at_month_end", ("T2_AR_OVERDUE", "denominator"), (("T3_AWAITING_PLACEMENT", "denominator"),)
        ),
        Relation(
            "plans_in_school_settings",
            ("T3_EHCP_MAINSTREAM", "denominator"),
            (("T3_INDEPENDENT_SPECIAL", "denominator"),),
        ),
    ]


# A census month: 10,000 pupils = 1,305 with SEN (E or K) + 8,695 without; 1,305 = 5 with a plan (E)
# + 1,300 on SEN support (K). Five pupils with a plan: X_CENSUS_EHCP_MATCHED is suppressed.
CENSUS = {
    "T1_SEN_SUPPORT_RATE": (1300, 10000),
    "T3_SUSPENSION_RATE_SEN": (40, 1305),
    "T3_SUSPENSION_RATE_NO_SEN": (87, 8695),
}


def census(withheld: tuple[str, ...] = ()) -> list[dict]:
    rows = [row(k, None, None) if k in withheld else row(k, *figures) for k, figures in CENSUS.items()]
    return [*rows, row("X_CENSUS_EHCP_MATCHED", None, None, suppressed=True)]


def test_a_suppressed_part_is_given_away_by_its_total_and_the_other_part():
    # 1,305 - 1,300 = 5
    assert revealed(census(), relations()) == [(("X_CENSUS_EHCP_MATCHED", "denominator"), ["census_pupils_with_sen"])]


def test_withholding_what_the_model_withholds_leaves_nothing_to_work_out():
    # the model withholds T1_SEN_SUPPORT_RATE's counts (1,300 < 1,305), then SEN's (1,305 < 8,695):
    # 10,000? = SEN? + 8,695 and SEN? = 5? + 1,300?: three unknowns in each chain, nothing fixed
    assert revealed(census(("T1_SEN_SUPPORT_RATE", "T3_SUSPENSION_RATE_SEN")), relations()) == []
    # withholding only T1's counts is not enough for pupils but is for the plan holders: E + K = 1,305
    # has two unknowns (T1's own denominator follows, 1,305 + 8,695, but it is not a suppressed figure)
    assert revealed(census(("T1_SEN_SUPPORT_RATE",)), relations()) == []


def test_a_figure_fixed_only_by_two_relations_together_is_found():
    # T = A + B and A = B, with A and B hidden: each relation has two unknowns, yet A = B = T / 2
    linked = [
        Relation("total", ("T", "denominator"), (("A", "denominator"), ("B", "denominator"))),
        Relation("same", ("A", "denominator"), (("B", "denominator"),)),
    ]
    rows = [row("T", 1, 8), row("A", None, None, suppressed=True), row("B", None, None, suppressed=True)]
    assert revealed(rows, linked) == [
        (("A", "denominator"), ["total", "same"]),
        (("B", "denominator"), ["total", "same"]),
    ]
    # with T withheld as well nothing is fixed
    assert revealed([row("T", 1, None), *rows[1:]], linked) == []


def test_the_check_names_the_kpi_and_never_a_figure():
    rows = [row("T2_AR_OVERDUE", 30, 317), row("T3_AWAITING_PLACEMENT", None, None, suppressed=True)]
    result = check_month(rows, "2025-03")
    assert not result.success and result.evaluated == 4
    text = result.describe()
    assert "T3_AWAITING_PLACEMENT denominator, by relation plans_active_at_month_end" in text
    assert "317" not in text and "30" not in text
    rows[0]["denominator"] = None  # what the model publishes: the shared denominator withheld
    assert check_month(rows, "2025-03").success
