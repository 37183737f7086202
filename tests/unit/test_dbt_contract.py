"""The dbt project agrees with the contract (contract.py, exports.md as data) where it repeats it."""

from __future__ import annotations

import yaml

from sendboard.config import DBT_PROJECT
from sendboard.contract import SOURCES
from sendboard.ingest.dfe import GEOGRAPHIC_LEVELS


def staging_accepted_values(folder: str = "*") -> dict[tuple[str, str, str], list[str]]:
    """(source, table, column) -> the values of its accepted_values test, from every staging yml."""
    found = {}
    for path in sorted((DBT_PROJECT / "models" / "staging").glob(f"{folder}/_*__models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            source, table = model["name"].removeprefix("stg_").split("__")
            if folder == "*" and source not in SOURCES:  # the DfE's statistics: not an export (below)
                continue
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        found[(source, table, column["name"])] = test["accepted_values"]["arguments"]["values"]
    return found


def test_every_staging_accepted_values_list_is_the_contracts_codes():
    listed = staging_accepted_values()
    coded = {
        (source.name, table.name, column.name): list(column.codes)
        for source in SOURCES.values()
        for table in source.tables
        for column in table.columns
        if column.codes
    }
    assert len(listed) == 18  # the lists copied by hand into the staging yml
    assert {key: sorted(values) for key, values in listed.items()} == {key: sorted(coded[key]) for key in listed}
    # and every coded column of the contract has its dbt test
    assert sorted(coded) == sorted(listed)


def test_the_dfe_staging_models_accept_the_geographic_levels_the_reader_knows():
    listed = staging_accepted_values("dfe_statistics")
    assert sorted(listed) == [
        ("dfe_statistics", table, "geographic_level")
        for table in ("annual_reviews", "caseload", "requests", "timeliness_20_week")
    ]
    assert all(values == list(GEOGRAPHIC_LEVELS) for values in listed.values())
