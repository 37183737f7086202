"""Configuration: environment over Airflow variables, and no pseudonymisation without a proper key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sendboard import config
from sendboard.errors import ConfigurationError


def test_refuses_to_run_without_a_key_outside_development_mode(monkeypatch, tmp_path):
    monkeypatch.setenv("SENDBOARD_HOME", str(tmp_path))
    monkeypatch.delenv("SENDBOARD_DEV_MODE")
    monkeypatch.delenv("AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="Refusing to run"):
        config.pseudonymisation_key()
    assert not (tmp_path / "secrets").exists()


def test_development_mode_makes_one_private_random_key_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SENDBOARD_HOME", str(tmp_path))
    first = config.pseudonymisation_key()
    assert first == config.pseudonymisation_key()
    path = tmp_path / "secrets" / "development_pseudonymisation.key"
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_from_the_airflow_variable_wins_even_in_development_mode(monkeypatch, tmp_path):
    monkeypatch.setenv("SENDBOARD_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY", "k" * 40)
    assert config.pseudonymisation_key() == b"k" * 40
    assert not (tmp_path / "secrets").exists()


def test_a_short_key_is_refused(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_PSEUDONYMISATION_KEY", "short")
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        config.pseudonymisation_key()


def test_environment_wins_over_the_airflow_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_VAR_SENDBOARD_INBOX", "/from/variable")
    assert config.inbox() == "/from/variable"
    monkeypatch.setenv("SENDBOARD_INBOX", str(tmp_path))
    assert config.inbox() == str(tmp_path)


def test_only_config_reads_the_environment_or_airflow_variables():
    # other modules may set the environment for a child process, never read a setting themselves
    import ast

    import sendboard

    package = Path(sendboard.__file__).parent
    readers = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = ast.unparse(node.func)
                if target in ("os.environ.get", "os.getenv", "Variable.get"):
                    readers.append(f"{path.relative_to(package)}: {target}")
    assert all(r.startswith("config.py") for r in readers), readers
    assert len(readers) >= 3  # the check sees config's own reads


def test_the_operations_doc_lists_every_setting_with_its_default():
    from sendboard.config import PROJECT_ROOT, SETTINGS

    readme = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    assert sorted(s.name for s in SETTINGS) == sorted(n for n in rows if n.lower().startswith("sendboard"))
    for setting in SETTINGS:
        assert setting.where in rows[setting.name], setting.name
        assert setting.default.split(" ")[0].strip("`").rstrip(",") in rows[setting.name], setting.name
