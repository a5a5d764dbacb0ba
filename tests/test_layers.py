"""The packages are layers: imports only point down.

``campaignkit`` (core) ← ``bot`` ← ``jobs`` ← ``webservice``. A module that
imports up hides who depends on whom and ends in import cycles (the web app and
the scheduler once imported each other). Every import is read with ``ast``, at
module level and inside functions alike, so a lazy import cannot hide one.

The command line's composition root may reach every layer: it registers the
subcommands. It is kept to the one module named here (the demo runs those
subcommands as processes, so it needs no exception).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("campaignkit", "bot", "jobs", "webservice")  # lowest first
COMPOSITION_ROOT = {
    "campaignkit/cli.py",  # registers every package's subcommands (by module name)
}
HEAVY = ("pywikibot", "flask", "celery", "sqlalchemy", "mwparserfromhell")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with its line, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def layer_violations() -> list[str]:
    """Imports from a package to one above it, outside the composition root."""
    problems = []
    for rank, package in enumerate(LAYERS):
        above = LAYERS[rank + 1 :]
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in COMPOSITION_ROOT:
                continue
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                if top in above:
                    problems.append(f"{relative}:{line} imports {module} ({package} < {top})")
    return sorted(set(problems))


def test_imports_only_point_down_the_layers() -> None:
    assert layer_violations() == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("def f():\n    from webservice.app import create_app\n")
    assert (2, "webservice.app") in imported_modules(source)


def test_the_composition_root_exists() -> None:
    for relative in COMPOSITION_ROOT:
        assert (ROOT / relative).is_file(), relative


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["devwiki", "status"],
        ["devwiki", "--help"],
        ["sync", "--help"],
        ["metrics", "--help"],
        ["report", "--help"],
        ["templates", "install", "--help"],
        ["worklist", "export", "--help"],
        ["web", "--help"],
        ["worker", "--help"],
        ["jobs", "status", "--help"],
    ],
)
def test_help_and_devwiki_status_load_no_heavy_library(arguments: list[str]) -> None:
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['campaignkit', *{arguments!r}]\n"
        "try:\n"
        "    runpy.run_module('campaignkit', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_every_lazy_command_says_what_its_module_registers() -> None:
    import click

    from campaignkit.cli import LAZY_COMMANDS, main

    context = click.Context(main)
    for name, (_module, first_line) in LAZY_COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None, name
        assert (command.help or "").strip().splitlines()[0] == first_line, name
