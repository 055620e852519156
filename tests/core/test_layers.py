"""The import layering of pyproject.toml [tool.importlinter] holds: the engine imports no app (its source schemas lie
in huimin.engine.sources), nothing but the URLconf imports the API root (routers and API clients share
huimin.apikit), and social assistance imports nothing of the 核对 system (which plugs in through registered hooks).
import-linter counts imports made inside functions too, so a hidden import breaks it as well."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_region_codes_are_padded_only_by_core_regions():
    """A region prefix becomes its 12-digit code through core.regions (full_code, ancestor_code), never by hand."""
    source = ROOT / "src" / "huimin"
    padded = [
        str(path.relative_to(ROOT))
        for path in source.rglob("*.py")
        if 'ljust(12, "0")' in path.read_text(encoding="utf-8") and path != source / "core" / "regions.py"
    ]
    assert padded == []
