"""Great Expectations suites, kept as JSON files under expectations/, run on the pandas path.

The raw-layer suites (`raw_<source>__<table>.json`) are derived from the
export contract by `python -m sendboard.ingest.expectations --write`; a test fails if
the committed files drift from the contract. They check what landing
promises: the landed columns, required values present, codes in their lists,
keys unique, and every identifier column holding a 64-hex-digit pseudonym,
never a clear identifier.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sendboard.config import PROJECT_ROOT, apply_offline_environment
from sendboard.contract import CODE, IDENTIFIER_KINDS, SOURCES, Table

log = logging.getLogger(__name__)

SUITES_DIR = PROJECT_ROOT / "expectations"
PSEUDONYM_REGEX = r"^[0-9a-f]{64}$"


def raw_suite_name(table: Table) -> str:
    return f"raw_{table.source}__{table.name}"


def raw_suite(table: Table) -> dict:
    """The raw-layer suite for a landed table, from the contract."""
    landed = [c.landed_name for c in table.columns] + ["source_row", "_loaded_at"]
    expectations: list[dict] = [
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": landed, "exact_match": True}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": table.column(table.primary_key).landed_name},
        },
    ]
    for column in table.columns:
        name = column.landed_name
        if column.required:
            expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}})
        if column.kind == CODE:
            expectations.append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": name, "value_set": list(column.codes)},
                }
            )
        if column.kind in IDENTIFIER_KINDS:
            expectations.append(
                {"type": "expect_column_values_to_match_regex", "kwargs": {"column": name, "regex": PSEUDONYM_REGEX}}
            )
    return {
        "name": raw_suite_name(table),
        "expectations": expectations,
        "meta": {
            "layer": "raw",
            "source": table.source,
            "table": table.name,
            "generated_from": "include/sendboard/contract.py",
        },
    }


def _quiet(context) -> None:
    """No analytics, and no progress bars flooding the task logs."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.enable_analytics(False)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)


def load_suite(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text())


@dataclass
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict]  # expectation type, column, and GX's counts; never values from the data

    def describe(self) -> str:
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed"
        lines = [f"{self.suite}: {len(self.failed)} of {self.evaluated} expectations failed"]
        lines += [
            f"  - {f['type']} on {f.get('column') or 'the table'}: "
            + (
                "could not be evaluated (see the task log)"
                if f.get("exception")
                else f"{f.get('unexpected_count')} unexpected value(s)"
            )
            for f in self.failed
        ]
        return "\n".join(lines)


def validate_dataframe(suite: dict, frame) -> SuiteResult:
    """Run a suite over a pandas DataFrame with an ephemeral, analytics-free GX context."""
    apply_offline_environment()
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    source = context.data_sources.add_pandas(f"sendboard_{suite['name']}")
    batch = (
        source.add_dataframe_asset(suite["name"])
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(
        gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"]), result_format="SUMMARY"
    )
    return _summarise(suite["name"], result)


def write_raw_suites() -> list[Path]:
    SUITES_DIR.mkdir(exist_ok=True)
    written = []
    for source in SOURCES.values():
        for table in source.tables:
            path = SUITES_DIR / f"{raw_suite_name(table)}.json"
            path.write_text(json.dumps(raw_suite(table), indent=2) + "\n")
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the raw-layer expectation suites from the contract.")
    parser.add_argument("--write", action="store_true", required=True)
    parser.parse_args()
    for path in write_raw_suites():
        print(path.relative_to(PROJECT_ROOT))


def data_docs_index(home: Path) -> Path:
    return home / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _summarise(suite_name: str, validation) -> SuiteResult:
    failed = []
    for r in validation.results:
        if not r.success:
            kwargs = r.expectation_config.kwargs
            failed.append(
                {
                    "type": r.expectation_config.type,
                    "column": kwargs.get("column"),
                    "unexpected_count": (r.result or {}).get("unexpected_count"),
                    "exception": bool(r.exception_info and r.exception_info.get("raised_exception")),
                }
            )
    return SuiteResult(suite_name, bool(validation.success), len(validation.results), failed)


def run_checkpoint(home: Path, suite: dict, frame, batch_name: str) -> SuiteResult:
    """Run a suite as a GX checkpoint in a file context under SENDBOARD_HOME/gx, updating Data Docs there.

    Used for the marts: a few hundred rows, so the pandas path costs nothing."""
    apply_offline_environment()
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    context = gx.get_context(mode="file", project_root_dir=str(home / "gx"))
    _quiet(context)
    source = context.data_sources.add_or_update_pandas("sendboard_marts")
    try:
        asset = source.get_asset(suite["name"])
    except LookupError:
        asset = source.add_dataframe_asset(suite["name"])
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    expectation_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"], meta=suite.get("meta"))
    )
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite["name"], data=batch_definition, suite=expectation_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{suite['name']}_checkpoint",
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format="SUMMARY",
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=None)
    [validation_result] = list(result.run_results.values())
    return _summarise(f"{suite['name']} ({batch_name})", validation_result)


if __name__ == "__main__":
    main()
