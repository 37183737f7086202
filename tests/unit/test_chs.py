"""NHS England's community health waiting-list workbooks: the reader (sendboard.ingest.chs) on the real
files in ../shared/reference_data/nhs_chs/ and on synthetic ones in every layout SOURCES.md describes,
the landing (sendboard.ingest.chs_landing), the dbt staging view's choices (the workbook landed last
for a month, codes learned from other months) and the comparators' figures (health_comparators)."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sendboard.config import PROJECT_ROOT, HealthAreas
from sendboard.devtools import chs_sample
from sendboard.devtools.chs_sample import LINES, Organisation
from sendboard.errors import ReferenceFileRejected
from sendboard.health_comparators import figures
from sendboard.ingest import chs, chs_landing

REAL = PROJECT_ROOT.parent / "shared" / "reference_data" / "nhs_chs"
JANUARY_2023 = REAL / "community_health_2023-03-01.xlsx"
FOUR = ("SALT", "COMMUNITY_PAEDIATRICS", "OCCUPATIONAL_THERAPY", "PHYSIOTHERAPY")
STAGING_SQL = (
    PROJECT_ROOT / "dbt" / "models" / "staging" / "nhs_statistics" / "stg_nhs_statistics__chs_waiting_lists.sql"
)


def real(name: str) -> Path:
    path = REAL / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the real CHS workbooks are in ../shared/reference_data/nhs_chs/")
    return path


def warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    """The dbt staging view's SQL over the landed Parquet files, as dbt builds it."""
    con = duckdb.connect()
    con.execute("create schema staging")
    source = f"read_parquet('{chs_landing.raw_folder(home)}/[!.]*/[!.]*.parquet', union_by_name = true)"
    body = STAGING_SQL.read_text().replace("{{ source('nhs_statistics', 'chs_waiting_lists') }}", source)
    con.execute(f"create view staging.stg_nhs_statistics__chs_waiting_lists as {body}")
    return con


def test_england_s_speech_and_language_therapy_in_january_2023_is_the_dfe_dashboard_s_35_1():
    found = chs.read_workbook(real(JANUARY_2023.name))
    england = {f.service: f for f in found if f.area_level == "ENGLAND"}
    salt = england["SALT"]
    assert (salt.chs_month, salt.waiting, salt.waiting_18_to_52_weeks, salt.waiting_over_52_weeks) == (
        "2023-01", 67_774, 20_810, 2_980,
    )  # fmt: skip
    assert figures.share(20_810 + 2_980, 67_774) == figures.share(23_790, 67_774) == Decimal("35.1")
    # the four lines together: 66,806 of 168,383 waiting over 18 weeks, 39.7%
    four = [england[s] for s in FOUR]
    over = sum(f.waiting_18_to_52_weeks + f.waiting_over_52_weeks for f in four)
    assert (over, sum(f.waiting for f in four)) == (66_806, 168_383)
    # every other CYP line is kept under the file's label; no adult line is
    assert "(CYP) Audiology" in england and not any(s.startswith("(A)") for s in england)


@pytest.mark.parametrize(
    ("name", "month", "providers"),
    [
        ("community_health_2023-03-01.xlsx", "2023-01", 139),  # header row 6, no organisation headings
        ("community_health_2023-04-01.xlsx", "2023-02", 136),  # the month only in the Contents sheet
        ("community_health_2023-10-01.xlsx", "2023-08", 135),  # Organisation Type, Code, Name; capitals
        ("community_health_2023-11-01.xlsx", "2023-09", 132),
    ],
)
def test_every_real_layout_gives_its_data_month_and_every_organisation(name, month, providers):
    found = [f for f in chs.read_workbook(real(name)) if f.service == "SALT"]
    assert {f.chs_month for f in found} == {month}
    levels = [f.area_level for f in found]
    assert (levels.count("ENGLAND"), levels.count("NHS_REGION"), levels.count("ICB")) == (1, 7, 42)
    assert levels.count("PROVIDER") == providers


def test_the_icb_is_found_by_its_code_in_a_month_that_gives_names_only(tmp_path):
    # January 2023's workbook names the ICBs only; September's gives QU9 beside the name, in capitals
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    (inbox / "nhs_statistics").mkdir(parents=True)
    for name in ("community_health_2023-03-01.xlsx", "community_health_2023-11-01.xlsx"):
        (inbox / "nhs_statistics" / name).write_bytes(real(name).read_bytes())
    assert sorted(chs_landing.land(str(inbox), home)["landed"]) == [
        "community_health_2023-03-01.xlsx", "community_health_2023-11-01.xlsx",
    ]  # fmt: skip
    con = warehouse(home)
    rows, waits, notices = figures.comparator_rows(con, "2023-01", HealthAreas("QU9", (), None))
    by = {r["comparator"]: r for r in rows}
    # Buckinghamshire, Oxfordshire and Berkshire West, January 2023: 2,573 of 5,040 over 18 weeks, 51.1%
    icb = by["ICB"]
    assert (icb["comparator_period"], icb["numerator"], icb["denominator"], icb["value"]) == (
        "2023-01", 2573, 5040, Decimal("51.1"),
    )  # fmt: skip
    assert icb["comparator_name"] == "Buckinghamshire, Oxfordshire and Berkshire West"
    assert (by["ENGLAND"]["numerator"], by["ENGLAND"]["denominator"]) == (66_806, 168_383)
    assert "neurodevelopmental and CAMHS" in icb["note"] and notices == []
    # board_health_waits: England's SALT line at 35.1%
    [salt] = [w for w in waits if w["area_level"] == "ENGLAND" and w["service"] == "SALT"]
    assert (salt["chs_month"], salt["share_over_18_weeks"]) == ("2023-01", Decimal("35.1"))
    # a month published before any CHS month there is has none; a later one takes September's
    assert figures.comparator_rows(con, "2022-12", HealthAreas("QU9", (), None))[0] == []
    assert {
        r["comparator_period"] for r in figures.comparator_rows(con, "2024-03", HealthAreas("QU9", (), None))[0]
    } == {"2023-09"}


def organisations(salt_provider: tuple[int | None, int | None, int | None]) -> list[Organisation]:
    lines = {LINES["SALT"]: (100, 30, 5), LINES["COMMUNITY_PAEDIATRICS"]: (40, 10, 2), "(A) Audiology": (7, 1, 0)}
    return [
        Organisation("England", "", "England", dict(lines)),
        Organisation("Region", "Y59", "South East", dict(lines)),
        Organisation("ICB", "QZZ", "NHS Sample Shire Integrated Care Board", dict(lines)),
        Organisation("Provider", "RNU", "Sample Shire Health NHS Foundation Trust", {LINES["SALT"]: salt_provider}),
        Organisation("Provider", "RAA", "Ashdown CIC", {LINES["SALT"]: (None, None, None)}),
    ]


@pytest.mark.parametrize("layout", chs_sample.LAYOUTS)
def test_each_layout_is_read_by_content_to_the_same_figures(tmp_path, layout):
    path = chs_sample.write_workbook(tmp_path / "saved by someone.xlsx", "2026-07", organisations((20, 6, 1)), layout)
    found = {(f.area_level, chs.normalised_name(f.area_name), f.service): f for f in chs.read_workbook(path)}
    assert {f.chs_month for f in found.values()} == {"2026-07"}
    icb = found[("ICB", "sample shire", "SALT")]
    assert (icb.waiting, icb.waiting_18_to_52_weeks, icb.waiting_over_52_weeks) == (100, 30, 5)
    provider = found[("PROVIDER", "sample shire health", "SALT")]
    assert (provider.waiting, provider.waiting_18_to_52_weeks, provider.waiting_over_52_weeks) == (20, 6, 1)
    assert provider.area_code == ("RNU" if layout == "type_code_and_name" else "")
    # `*` is no value; a line the provider did not submit (blank) is no value too
    star = found[("PROVIDER", "ashdown cic", "SALT")]
    assert (star.waiting, star.waiting_18_to_52_weeks, star.waiting_over_52_weeks) == (None, None, None)
    assert found[("PROVIDER", "ashdown cic", "COMMUNITY_PAEDIATRICS")].waiting is None
    assert not any(f.service.startswith("(A)") for f in found.values())


def test_a_sheet_that_declares_one_cell_is_read_whole(tmp_path):
    path = chs_sample.write_workbook(tmp_path / "w.xlsx", "2026-07", organisations((20, 6, 1)), "type_code_and_name")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert all(b'<dimension ref="A1:A1"' in s for s in sheets)
    assert len(chs.read_workbook(path)) == 5 * 2  # five organisations, two CYP lines each


def without_month(path: Path) -> Path:
    """The same workbook with every month name taken out of its titles and Contents."""
    out = path.with_name("no_month.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xml"):
                data = re.sub(rb", July 2026", b"", data)
            target.writestr(info, data)
    return out


def test_a_workbook_that_cannot_be_understood_is_rejected_naming_the_file_and_what_is_missing(tmp_path):
    path = chs_sample.write_workbook(tmp_path / "w.xlsx", "2026-07", organisations((20, 6, 1)), "type_and_name")
    with pytest.raises(ReferenceFileRejected, match=r"no_month\.xlsx: sheet 'Table 4': no data month"):
        chs.read_workbook(without_month(path))
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(ReferenceFileRejected, match=r"notes\.xlsx: is not an Excel workbook"):
        chs.read_workbook(tmp_path / "notes.xlsx")


def test_landing_records_every_file_and_for_a_month_the_workbook_landed_last_wins(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    folder = inbox / "nhs_statistics"
    folder.mkdir(parents=True)
    chs_sample.write_workbook(folder / "a.xlsx", "2026-07", organisations((20, 6, 1)), "type_code_and_name")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ReferenceFileRejected, match="1 NHS England workbook"):
        chs_landing.land(str(inbox), home)
    seen = {r["name"]: r for r in chs_landing.files_seen(chs_landing.raw_folder(home)).values()}
    assert seen["a.xlsx"]["status"] == "landed" and seen["a.xlsx"]["detail"]["chs_month"] == "2026-07"
    assert seen["broken.xlsx"]["status"] == "rejected" and "broken.xlsx" in seen["broken.xlsx"]["detail"]
    assert chs_landing.pending(str(inbox), home) == []
    # NHS England re-issues July, revised, in the names-only layout: the revision wins, and RNU's code
    # is still known (learned from the first workbook)
    (folder / "broken.xlsx").unlink()
    chs_sample.write_workbook(folder / "b.xlsx", "2026-07", organisations((25, 9, 1)), "type_and_name")
    assert chs_landing.land(str(inbox), home) == {"landed": ["b.xlsx"]}
    rows, _waits, _notices = figures.comparator_rows(warehouse(home), "2026-08", HealthAreas(None, ("RNU",), None))
    provider = next(r for r in rows if r["comparator"] == "PROVIDER")
    assert (provider["numerator"], provider["denominator"], provider["source"][-6:]) == (10, 25, "b.xlsx")


def test_a_line_with_no_value_is_left_out_of_the_sum_and_named(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    (inbox / "nhs_statistics").mkdir(parents=True)
    orgs = organisations((20, 6, 1))
    # the ICB's community paediatrics suppressed: only SALT counts, 35 of 100
    orgs[2].lines[LINES["COMMUNITY_PAEDIATRICS"]] = (None, None, None)
    chs_sample.write_workbook(inbox / "nhs_statistics" / "w.xlsx", "2026-07", orgs, "type_code_and_name")
    chs_landing.land(str(inbox), home)
    rows, _waits, notices = figures.comparator_rows(
        warehouse(home), "2026-07", HealthAreas("NHS Sample Shire ICB", ("RNU", "RXX"), "south east")
    )
    by = {r["comparator"]: r for r in rows}
    assert (by["ICB"]["numerator"], by["ICB"]["denominator"], by["ICB"]["value"]) == (35, 100, Decimal("35.0"))
    assert "Left out, no value in the workbook: Community paediatrics" in by["ICB"]["note"]
    # England: (30 + 5) + (10 + 2) = 47 of 140, 33.6%; the region found by name, the ICB by name
    assert (by["ENGLAND"]["numerator"], by["ENGLAND"]["denominator"], by["ENGLAND"]["value"]) == (
        47, 140, Decimal("33.6"),
    )  # fmt: skip
    assert by["NHS_REGION"]["comparator_name"] == "SOUTH EAST"
    assert notices == ["Provider 'RXX' is not in the CHS workbook of 2026-07."]


def test_a_provider_s_chs_figure_is_checked_against_our_own_count_of_the_same_list():
    con = duckdb.connect()
    con.execute("create schema intermediate")
    # ours at 31 July 2026: RNU's speech and language therapy 100 waiting, 40 over 18 weeks; its
    # physiotherapy 30 waiting, 9 over
    con.execute(
        "create table intermediate.int_referrals_waiting_by_service as select * from (values"
        " ('2026-07', 'RNU', 'SALT', 100, 30, 10), ('2026-07', 'RNU', 'PHYSIOTHERAPY', 30, 9, 0))"
        " as t(period, provider_code, service, waiting, waiting_18_to_52_weeks, waiting_over_52_weeks)"
    )

    def wait(service: str, waiting: int, mid: int, long: int, code: str = "RNU") -> dict:
        return {"chs_month": "2026-07", "area_level": "PROVIDER", "area_code": code, "area_name": "Sample Health",
                "service": service, "waiting": waiting, "waiting_18_to_52_weeks": mid,
                "waiting_over_52_weeks": long}  # fmt: skip

    # SALT: CHS 100 waiting, 45 over (45% against our 40%: 5 points, agree); physiotherapy: CHS 26
    # waiting (ours 30: 4 more, over 10% of 26), so they disagree; a provider with no list of ours: nothing
    warnings = figures.own_check(
        con, [wait("SALT", 100, 40, 5), wait("PHYSIOTHERAPY", 26, 8, 0), wait("SALT", 50, 10, 0, code="RXX")]
    )
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "Sample Health (RNU), physiotherapy, 2026-07: NHS England's CHS workbook counts 26 waiting, 30.8% over"
    )
    assert "30 waiting" not in warnings[0] and "9 " not in warnings[0]  # our own figures are not shown
    # one more over 18 weeks in the CHS SALT line: 46% against 40%, more than 5 points apart
    assert len(figures.own_check(con, [wait("SALT", 100, 41, 5)])) == 1
