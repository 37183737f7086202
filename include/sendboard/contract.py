"""The input contract of ../shared/spec/exports.md, as data.

Everything that reads, checks or lands an export takes its columns, codes,
keys and rules from here, so the contract is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds. Identifier kinds are pseudonymised on ingest.
TEXT, DATE, CODE, FLAG, INTEGER = "text", "date", "code", "flag", "integer"
PERSON_ID, UPN, NHS_NUMBER = "person_id", "upn", "nhs_number"
IDENTIFIER_KINDS = (PERSON_ID, UPN, NHS_NUMBER)

NC_YEARS = ("E1", "E2", "N1", "N2", "R", *[str(n) for n in range(1, 15)], "X")
SETTING_TYPES = (
    "MAINSTREAM_SCHOOL",
    "RESOURCED_PROVISION",
    "STATE_SPECIAL",
    "INDEPENDENT_SPECIAL",
    "ALTERNATIVE_PROVISION",
    "EARLY_YEARS",
    "FURTHER_EDUCATION",
    "APPRENTICESHIP_TRAINING",
    "EMPLOYMENT",
    "ELECTIVE_HOME_EDUCATION",
    "NEET",
    "AWAITING_PLACEMENT",
    "OTHER",
)
PLAN_NEEDS = ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH")
CENSUS_NEEDS = tuple(n for n in PLAN_NEEDS if n != "DS") + ("NSA",)
SERVICES = ("SALT", "COMMUNITY_PAEDIATRICS", "NEURODEVELOPMENTAL", "CAMHS", "OCCUPATIONAL_THERAPY", "PHYSIOTHERAPY")

EARLIEST_DATE = "1990-01-01"
ROW_ERROR_THRESHOLD = 0.02  # a file is rejected when strictly more than 2% of rows break row rules


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    codes: tuple[str, ...] = ()
    # SQL over the typed row; when true the column must have a value
    # (exports.md's "if decision", "if ceased", ...).
    required_when: str | None = None

    @property
    def landed_name(self) -> str:
        """Name in the landing: identifiers become pseudonyms, date of birth a month."""
        if self.kind == PERSON_ID:
            return "person_pseudonym"
        if self.kind in (UPN, NHS_NUMBER):
            return f"{self.name}_pseudonym"
        if self.name == "date_of_birth":
            return "birth_month"
        return self.name


@dataclass(frozen=True)
class Check:
    """A table-specific row rule: `bad_when` is SQL over the typed row."""

    rule: str
    column: str
    bad_when: str


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    columns: tuple[Column, ...]
    primary_key: str
    # (column, parent table, parent key): the reference must exist in the parent file
    parent: tuple[str, str, str] | None = None
    # (earlier, later) date pairs: later strictly before earlier is a row error
    date_order: tuple[tuple[str, str], ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Source:
    name: str
    tables: tuple[Table, ...]  # in load order: parents before children
    census_months: tuple[int, ...] = field(default=())

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _codes(name: str, codes: tuple[str, ...], required: bool = False, **kw) -> Column:
    return Column(name, CODE, required=required, codes=codes, **kw)


CASE_MANAGEMENT = Source(
    name="case_management",
    tables=(
        Table(
            "case_management",
            "requests",
            columns=(
                Column("request_id", TEXT, required=True),
                Column("person_id", PERSON_ID, required=True),
                Column("upn", UPN),
                Column("nhs_number", NHS_NUMBER),
                Column("date_of_birth", DATE, required=True),
                Column("received_date", DATE, required=True),
                _codes(
                    "request_source",
                    ("PARENT", "YOUNG_PERSON", "SCHOOL", "EARLY_YEARS", "HEALTH", "SOCIAL_CARE", "OTHER"),
                    required=True,
                ),
                _codes("decision", ("ASSESS", "NOT_ASSESS", "WITHDRAWN")),
                Column("decision_date", DATE, required_when="decision is not null"),
                _codes("assessment_outcome", ("PLAN", "NO_PLAN", "WITHDRAWN")),
                Column("assessment_outcome_date", DATE, required_when="assessment_outcome is not null"),
                Column("plan_issued_date", DATE),
                Column("exception_20wk", FLAG),
            ),
            primary_key="request_id",
            date_order=(
                ("received_date", "decision_date"),
                ("decision_date", "assessment_outcome_date"),
                ("received_date", "plan_issued_date"),
            ),
        ),
        Table(
            "case_management",
            "advice",
            columns=(
                Column("advice_id", TEXT, required=True),
                Column("request_id", TEXT, required=True),
                _codes("advice_type", ("HEALTH", "SOCIAL_CARE", "EDUCATIONAL_PSYCHOLOGY", "EDUCATION"), required=True),
                Column("requested_date", DATE, required=True),
                Column("received_date", DATE),
            ),
            primary_key="advice_id",
            parent=("request_id", "requests", "request_id"),
            date_order=(("requested_date", "received_date"),),
        ),
        Table(
            "case_management",
            "plans",
            columns=(
                Column("plan_id", TEXT, required=True),
                Column("person_id", PERSON_ID, required=True),
                Column("upn", UPN),
                Column("nhs_number", NHS_NUMBER),
                Column("date_of_birth", DATE, required=True),
                Column("start_date", DATE, required=True),
                Column("ceased_date", DATE),
                _codes(
                    "cease_reason",
                    ("OUTCOMES_ACHIEVED", "MOVED_AWAY", "EDUCATION_ENDED", "NEEDS_MET_WITHOUT_PLAN", "OTHER"),
                    required_when="ceased_date is not null",
                ),
                _codes("primary_need", PLAN_NEEDS, required=True),
                _codes("setting_type", SETTING_TYPES, required=True),
                Column("setting_urn", TEXT),
                _codes("nc_year", NC_YEARS),
            ),
            primary_key="plan_id",
            date_order=(("start_date", "ceased_date"),),
        ),
        Table(
            "case_management",
            "annual_reviews",
            columns=(
                Column("review_id", TEXT, required=True),
                Column("plan_id", TEXT, required=True),
                Column("meeting_date", DATE, required=True),
                _codes("nc_year", NC_YEARS),
                _codes("decision", ("MAINTAIN", "AMEND", "CEASE")),
                Column("decision_date", DATE, required_when="decision is not null"),
                Column("child_views_recorded", FLAG),
                Column("pfa_outcomes_recorded", FLAG),
            ),
            primary_key="review_id",
            parent=("plan_id", "plans", "plan_id"),
            date_order=(("meeting_date", "decision_date"),),
        ),
        Table(
            "case_management",
            "plan_audits",
            columns=(
                Column("audit_id", TEXT, required=True),
                Column("plan_id", TEXT, required=True),
                Column("audit_date", DATE, required=True),
                _codes("rating", ("OUTSTANDING", "GOOD", "REQUIRES_IMPROVEMENT", "INADEQUATE"), required=True),
                Column("multi_agency", FLAG),
            ),
            primary_key="audit_id",
            parent=("plan_id", "plans", "plan_id"),
        ),
    ),
)

HEALTH_WAITING_LISTS = Source(
    name="health_waiting_lists",
    tables=(
        Table(
            "health_waiting_lists",
            "referrals",
            columns=(
                Column("referral_id", TEXT, required=True),
                Column("nhs_number", NHS_NUMBER, required=True),
                Column("date_of_birth", DATE, required=True),
                Column("provider_code", TEXT, required=True),
                _codes("service", SERVICES, required=True),
                _codes("priority", ("ROUTINE", "URGENT"), required=True),
                Column("referral_date", DATE, required=True),
                Column("first_contact_date", DATE),
                Column("removed_date", DATE),
            ),
            primary_key="referral_id",
            date_order=(("referral_date", "first_contact_date"), ("referral_date", "removed_date")),
        ),
    ),
)

SCHOOL_CENSUS = Source(
    name="school_census",
    census_months=(1, 5, 10),
    tables=(
        Table(
            "school_census",
            "schools",
            columns=(
                Column("urn", TEXT, required=True),
                Column("school_name", TEXT, required=True),
                _codes("school_type", ("MAINSTREAM", "SPECIAL", "ALTERNATIVE_PROVISION"), required=True),
                _codes("phase", ("NURSERY", "PRIMARY", "SECONDARY", "ALL_THROUGH", "SIXTEEN_PLUS"), required=True),
            ),
            primary_key="urn",
        ),
        Table(
            "school_census",
            "pupils",
            columns=(
                Column("upn", UPN, required=True),
                Column("school_urn", TEXT, required=True),
                Column("date_of_birth", DATE, required=True),
                _codes("nc_year", NC_YEARS, required=True),
                _codes("sen_provision", ("E", "K", "N"), required=True),
                _codes("primary_sen_type", CENSUS_NEEDS, required_when="sen_provision in ('E', 'K')"),
                Column("fsm_eligible", FLAG),
                Column("sessions_possible", INTEGER, required=True),
                Column("sessions_missed", INTEGER, required=True),
                Column("suspensions", INTEGER, required=True),
                Column("permanently_excluded", FLAG),
            ),
            primary_key="upn",
            parent=("school_urn", "schools", "urn"),
            checks=(
                Check("sessions_missed_over_possible", "sessions_missed", "sessions_missed > sessions_possible"),
                Check(
                    "nsa_without_sen_support", "primary_sen_type", "primary_sen_type = 'NSA' and sen_provision <> 'K'"
                ),
            ),
        ),
    ),
)

SOURCES: dict[str, Source] = {s.name: s for s in (CASE_MANAGEMENT, HEALTH_WAITING_LISTS, SCHOOL_CENSUS)}
