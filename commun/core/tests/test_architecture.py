"""Imports follow the direction declared in commun/core/architecture.py (docs/architecture.md)."""

import ast
from pathlib import Path

from commun.core.architecture import EXCEPTIONS, PARTS, part_of, rank

ROOT = Path(__file__).resolve().parents[2]  # the `commun` package


def modules(with_tests: bool):
    for path in sorted(ROOT.rglob("*.py")):
        folders = path.relative_to(ROOT).parts[:-1]
        if "migrations" in folders or (not with_tests and "tests" in folders):
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def imported(name: str, path: Path) -> list[tuple[str, int]]:
    """Every commun module `path` imports, at its top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = ".".join(filter(None, [package if node.level else "", node.module or ""]))
            # `from commun.x import views` imports the module `commun.x.views`.
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return [(module, line) for module, line in found if module.split(".")[0] == "commun"]


def test_every_module_belongs_to_a_declared_part():
    assert all(part_of(name) is not None for name, _path in modules(with_tests=False))


def test_no_module_imports_a_part_declared_above_its_own():
    upward = []
    for name, path in modules(with_tests=False):
        mine = part_of(name)
        for module, line in imported(name, path):
            theirs = part_of(module)
            if rank(theirs) > rank(mine) and theirs.name not in EXCEPTIONS.get(name, ()):
                upward.append(f"{name}:{line} ({mine.name}) imports {module} ({theirs.name})")
    assert upward == []


def test_every_declared_exception_is_still_needed():
    needed = {
        (name, part_of(module).name)
        for name, path in modules(with_tests=False)
        for module, _line in imported(name, path)
        if rank(part_of(module)) > rank(part_of(name))
    }
    declared = {(name, part) for name, parts in EXCEPTIONS.items() for part in parts}
    assert declared <= needed


def test_only_url_configurations_import_views():
    importers = [
        f"{name}:{line} imports {module}"
        for name, path in modules(with_tests=True)
        for module, line in imported(name, path)
        if module.rpartition(".")[2] in {"views", "officer_views", "export_views"}
        or ".views." in module
        or module.endswith("_views")
        if not name.endswith("urls")
    ]
    assert importers == []


def test_the_parts_are_named_once():
    names = [part.name for part in PARTS]
    assert len(names) == len(set(names))
