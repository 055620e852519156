import pytest

from tests.clock import at


@pytest.fixture(autouse=True)
def engine_files_in_tmp(settings, tmp_path):
    """Snapshots, error reports, batch results and scans go to a per-test directory."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _pinned_clock():
    """Departmental records, authorisations and reports here carry 2026 dates (factories.AS_OF) that may not lie
    in the future."""
    with at(2026, 11, 20):
        yield
