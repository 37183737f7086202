"""The package's stages import one way, bottom to top, and no module imports itself round a cycle.

Function-level imports count too: hiding a cycle inside a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sendboard

PACKAGE = Path(sendboard.__file__).parent
# bottom to top; the modules directly under sendboard/ (config, errors, periods, contract, sql, faults)
# are the bottom layer
STAGES = (
    "",
    "ingest",
    "warehouse",
    "health_comparators",
    "publish",
    "projection",
    "operations",
    "orchestration",
    "devtools",
)


def modules() -> dict[str, Path]:
    return {
        ".".join(("sendboard", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
    }


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else 0


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The sendboard modules a file imports (a name imported from a package counts as its module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sendboard"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sendboard"))
    return {m for m in found if m in known and m != "sendboard"}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {module: imports(path, known) for module, path in known.items()}


def test_the_stages_are_the_folders():
    assert sorted({m.split(".")[1] for m in modules() if m.count(".") == 2}) == sorted(STAGES[1:])
    assert sorted(m for m, path in modules().items() if m.count(".") == 1 and path.name != "__init__.py") == [
        "sendboard.config", "sendboard.contract", "sendboard.errors", "sendboard.faults", "sendboard.periods",
        "sendboard.spc", "sendboard.sql",
    ]  # fmt: skip


def test_no_module_imports_from_a_stage_above_its_own():
    upward = [(module, target) for module, targets in graph().items() for target in targets
              if stage(target) > stage(module)]  # fmt: skip
    assert upward == []


def test_no_import_cycle():
    edges = graph()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(edges[module]):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(edges):
        if module not in done:
            visit(module, [module])
    assert cycles == []


def test_the_layout_check_sees_an_upward_import_and_a_cycle():
    assert stage("sendboard.ingest.landing") < stage("sendboard.publish.board") < stage("sendboard.devtools.run")
    assert stage("sendboard.config") == 0 and stage("sendboard.ingest") == 1
    edges = graph()
    # board imports snapshot at publish time: the test would see a cycle if snapshot imported board back
    assert "sendboard.publish.snapshot" in edges["sendboard.publish.board"]
    assert "sendboard.publish.board" not in edges["sendboard.publish.snapshot"]
