"""Great Expectations suites, kept as JSON files under expectations/, run on the pandas path.

The raw-layer suites (`raw_<source>__<table>.json`) are derived from the
export contract by `python -m sendboard.expectations --write`; a test fails if
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
        {"type": "expect_column_values_to_be_unique",
         "kwargs": {"column": table.column(table.primary_key).landed_name}},
    ]
    for column in table.columns:
        name = column.landed_name
        if column.required:
            expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}})
        if column.kind == CODE:
            expectations.append({"type": "expect_column_values_to_be_in_set",
                                 "kwargs": {"column": name, "value_set": list(column.codes)}})
        if column.kind in IDENTIFIER_KINDS:
            expectations.append({"type": "expect_column_values_to_match_regex",
                                 "kwargs": {"column": name, "regex": PSEUDONYM_REGEX}})
    return {"name": raw_suite_name(table), "expectations": expectations,
            "meta": {"layer": "raw", "source": table.source, "table": table.name,
                     "generated_from": "include/sendboard/contract.py"}}


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
        lines += [f"  - {f['type']} on {f.get('column') or 'the table'}: "
                  + ("could not be evaluated (see the task log)" if f.get("exception")
                     else f"{f.get('unexpected_count')} unexpected value(s)") for f in self.failed]
        return "\n".join(lines)


def validate_dataframe(suite: dict, frame) -> SuiteResult:
    """Run a suite over a pandas DataFrame with an ephemeral, analytics-free GX context."""
    apply_offline_environment()
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)
    source = context.data_sources.add_pandas(f"sendboard_{suite['name']}")
    batch = source.add_dataframe_asset(suite["name"]).add_batch_definition_whole_dataframe("whole") \
        .get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"]),
                            result_format="SUMMARY")
    failed = []
    for r in result.results:
        if not r.success:
            kwargs = r.expectation_config.kwargs
            # keep counts only: partial_unexpected_list could show values, which may be identifiers
            failed.append({"type": r.expectation_config.type, "column": kwargs.get("column"),
                           "unexpected_count": (r.result or {}).get("unexpected_count"),
                           "exception": bool(r.exception_info and r.exception_info.get("raised_exception"))})
    return SuiteResult(suite["name"], bool(result.success), len(result.results), failed)


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


if __name__ == "__main__":
    main()
