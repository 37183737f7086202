"""Which warnings stop the suite: every DeprecationWarning and FutureWarning is an error, in the tests
(pyproject's filterwarnings) and in the processes they start (PYTHONWARNINGS, which the workers, dbt
and the deployment's services inherit), except the few only a library can remove.

Each of those is ignored by the start of its exact message, never by category or module alone, so a
new deprecation, ours or a library's, still stops the suite. Remove an entry when the version named
in it is installed.
"""

from __future__ import annotations

import re

ERRORS = ("DeprecationWarning", "FutureWarning")

# (the start of the message, its category, the library's version or issue that ends it)
LIBRARY_ONLY: tuple[tuple[str, str, str], ...] = (
    (
        # our sensors are the task SDK's @task.sensor, which apache-airflow-providers-standard 1.21.0
        # implements with a PythonSensor that still imports determine_kwargs from its old place
        # (apache/airflow#62746 moved it to the task SDK); a later provider imports it from there
        "The `airflow.utils.operator_helpers.determine_kwargs` attribute is deprecated",
        "FutureWarning",  # Airflow's DeprecatedImportWarning
        "apache-airflow-providers-standard after 1.21.0",
    ),
    (
        # great-expectations 1.24.1 imports sre_constants in its file-path data connector, which its
        # pandas datasource loads; Python 3.11 deprecated the module
        "module 'sre_constants' is deprecated",
        "DeprecationWarning",
        "great-expectations after 1.24.1",
    ),
    ("module 'sre_parse' is deprecated", "DeprecationWarning", "great-expectations after 1.24.1 (as above)"),
)


def pytest_filters() -> list[str]:
    """For pytest's filterwarnings, which reads the message as a regular expression."""
    return [f"ignore:{re.escape(message)}:{category}" for message, category, _ in LIBRARY_ONLY]


def python_warnings() -> str:
    """PYTHONWARNINGS for the processes the tests start: its message field is literal text, and the
    last filter given wins, as in pytest."""
    errors = [f"error::{category}" for category in ERRORS]
    ignored = [f"ignore:{message}:{category}" for message, category, _ in LIBRARY_ONLY]
    for entry in ignored:
        assert "," not in entry and entry.count(":") == 2, entry  # PYTHONWARNINGS splits on both
    return ",".join(errors + ignored)
