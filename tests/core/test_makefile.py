"""What the Makefile's quick-start targets run (``make -n`` prints the recipes without running them)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")


def recipe(target: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), target], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _index(lines, text):
    return next(i for i, line in enumerate(lines) if text in line)


def test_bench_migrates_its_database_before_the_scenarios():
    lines = recipe("bench")
    assert _index(lines, "huimin migrate --noinput") < _index(lines, "-m bench")


def test_demo_loads_only_an_empty_database_and_serves_with_the_worker():
    lines = recipe("demo")
    assert any("demo load --if-empty" in line for line in lines)
    assert any(line.endswith("huimin serve 127.0.0.1:8000") for line in lines)
    assert not any(" runserver " in line for line in lines)  # never the web server alone


def test_demo_reset_deletes_the_demo_database_first():
    lines = recipe("demo-reset")
    assert lines[0].startswith("rm -rf var/demo.sqlite3 ")


def test_apt_get_waits_for_the_dpkg_lock():
    makefile = (ROOT / "Makefile").read_text()
    calls = re.findall(r"apt-get (?:-o \S+ )?(?:update|install -y)", makefile)  # the runs, not the hints printed
    assert len(calls) == 2 and all("-o DPkg::Lock::Timeout=" in call for call in calls), calls
