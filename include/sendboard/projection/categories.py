"""How a plan is counted in the DfE's DSG management plan template: its placement category (the
template's seven) from our setting code, and its age group from the age at the month end.

Settings the template has no category for (decided here, decision 0018):
- `NEET`, `AWAITING_PLACEMENT`, `ELECTIVE_HOME_EDUCATION` and `EMPLOYMENT` are `not_placed`: the plan
  is in force (it counts in every total and by age and need) but no placement is funded, so it has no
  cost and no line of the template's placement table. The DSG plan's readers see it as a line of its
  own under the table;
- `EARLY_YEARS` is `other_or_direct_payments`: a funded top-up in a nursery or childminder, not a
  school place (the template's other placements);
- `APPRENTICESHIP_TRAINING` is `post16_fe`, with further education: an education placement after 16;
- `OTHER` (education otherwise than at school arranged by the LA, a direct payment) is
  `other_or_direct_payments`.

>>> category_of("RESOURCED_PROVISION"), category_of("NEET"), age_group(4), age_group(25)
('resourced_provision_or_sen_unit', 'not_placed', 'under_5', '20_25')
"""

from __future__ import annotations

# the template's seven, in its order, then ours
CATEGORIES = (
    ("mainstream", "Mainstream schools or academies"),
    ("resourced_provision_or_sen_unit", "Resourced provision or SEN units"),
    ("maintained_special", "Maintained special schools or special academies"),
    ("independent_special", "Non-maintained or independent special schools"),
    ("hospital_or_ap", "Hospital schools or alternative provision"),
    ("post16_fe", "Post-16 and further education"),
    ("other_or_direct_payments", "Other placements or direct payments"),
    ("not_placed", "No placement funded (NEET, awaiting placement, home education, employment)"),
)

CATEGORY_OF_SETTING = {
    "MAINSTREAM_SCHOOL": "mainstream",
    "RESOURCED_PROVISION": "resourced_provision_or_sen_unit",
    "STATE_SPECIAL": "maintained_special",
    "INDEPENDENT_SPECIAL": "independent_special",
    "ALTERNATIVE_PROVISION": "hospital_or_ap",
    "FURTHER_EDUCATION": "post16_fe",
    "APPRENTICESHIP_TRAINING": "post16_fe",
    "EARLY_YEARS": "other_or_direct_payments",
    "OTHER": "other_or_direct_payments",
    "NEET": "not_placed",
    "AWAITING_PLACEMENT": "not_placed",
    "ELECTIVE_HOME_EDUCATION": "not_placed",
    "EMPLOYMENT": "not_placed",
}

# the template's age groups: (name, first age, last age), by age in whole years at the month end
AGE_GROUPS = (("under_5", 0, 4), ("5_10", 5, 10), ("11_15", 11, 15), ("16_19", 16, 19), ("20_25", 20, 25))


def category_of(setting_type: str) -> str:
    return CATEGORY_OF_SETTING[setting_type]


def age_group(age: int) -> str:
    """The template's age group of an age in whole years; a plan beyond 25 has ended (plans cease at 25)."""
    for name, first, last in AGE_GROUPS:
        if first <= age <= last:
            return name
    raise ValueError(f"age {age} is outside the template's groups (0 to 25)")
