"""Static files without collectstatic: served from the apps' directories, no "No directory at" warning."""

import warnings

from django.test import Client

from huimin.core.staticfiles import StaticFilesMiddleware


def _start(settings, static_root):
    settings.STATIC_ROOT = static_root
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return StaticFilesMiddleware(lambda request: None)


def test_a_missing_static_root_is_not_warned_about_and_files_are_served(settings, tmp_path, db):
    middleware = _start(settings, tmp_path / "staticfiles")  # would raise on the warning
    assert "/static/huimin/huimin.css" in middleware.files  # from the app's static directory
    assert Client().get("/static/huimin/huimin.css").status_code == 200


def test_a_collected_static_root_is_served(settings, tmp_path):
    root = tmp_path / "staticfiles"
    (root / "huimin").mkdir(parents=True)
    (root / "huimin" / "collected.txt").write_text("collected")
    middleware = _start(settings, root)
    assert "/static/huimin/collected.txt" in middleware.files
