import pytest


@pytest.fixture(autouse=True)
def engine_files_in_tmp(settings, tmp_path):
    """Snapshots, error reports, batch results and scans go to a per-test directory."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
