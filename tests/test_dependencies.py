"""pyproject.toml declares exactly what the code imports: an import nobody declared works here (the venv happens to
have it) and fails for a user who installs the wheel; a declared package nothing imports is weight for nothing."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from assistant.settings import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Needed at run time without an import statement of ours.
RUNTIME_ONLY = {"psycopg": "SQLAlchemy's driver for postgresql+psycopg:// feedback URLs"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(requirements: list[str]) -> set[str]:
    return {canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group()) for requirement in requirements}


def imported_distributions(folder: Path) -> dict[str, set[str]]:
    """The distributions that provide each third-party module imported under `folder` (any depth, any branch)."""
    providers = packages_distributions()
    local = {"assistant"} | {path.stem for path in folder.glob("*.py")}  # bench/onnx_vs_torch.py imports bench
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in (name.split(".")[0] for name in names):
                if top not in sys.stdlib_module_names and top not in local:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    # A module of an extra that is not installed here (`make test` does not install the bench extra) is taken to
    # come from the distribution of its own name: langchain_chroma from langchain-chroma.
    return {top: {canonical(d) for d in providers.get(top, [top])} for top in found}


def test_every_import_of_the_package_is_a_declared_dependency_and_nothing_else_is():
    requirements = declared(PROJECT["dependencies"])
    imports = imported_distributions(ROOT / "assistant")
    undeclared = {top: sorted(dists) for top, dists in imports.items() if not dists & requirements}
    assert not undeclared, f"imported by assistant/ but not in [project] dependencies: {undeclared}"
    used = set().union(*imports.values()) | set(RUNTIME_ONLY)
    unused = sorted(requirements - used)
    assert not unused, f"declared but never imported by assistant/ (move them to an extra, or drop them): {unused}"


def test_the_benchmark_needs_only_the_package_and_its_bench_extra():
    requirements = declared(PROJECT["dependencies"]) | declared(PROJECT["optional-dependencies"]["bench"])
    imports = imported_distributions(ROOT / "bench")
    undeclared = {top: sorted(dists) for top, dists in imports.items() if not dists & requirements}
    assert not undeclared, f"imported by bench/ but in neither the dependencies nor the bench extra: {undeclared}"
    assert declared(PROJECT["optional-dependencies"]["bench"]) == {"langchain-chroma", "langchain-huggingface",
                                                                          "gradio-client"}
