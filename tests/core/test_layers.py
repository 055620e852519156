"""The import layering of pyproject.toml [tool.importlinter] holds: the engine imports no app (its source schemas lie
in huimin.engine.sources), nothing but the URLconf imports the API root (routers and API clients share
huimin.apikit), and social assistance imports nothing of the 核对 system (which plugs in through registered hooks).
import-linter counts imports made inside functions too, so a hidden import breaks it as well."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
