"""The benchmark harness: ``python -m bench [scenario ...] [--size small|full]``.

Each scenario (bench/scenarios/<name>.py) exposes ``run(size, workdir) -> dict`` and runs in its own child
process, so its peak memory is its own. Results go to bench/results/<YYYY-MM-DD>.json (runs of the same day are
merged, the latest run of a scenario and size replacing the earlier one) and a Markdown table beside it.
"""

import argparse
import datetime
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
DATA = BENCH / "data"
REQUIRED = ("scenario", "sizes", "timings_s", "ratios", "peak_memory_mb", "targets", "notes")


def scenarios() -> list[str]:
    return sorted(p.stem for p in (BENCH / "scenarios").glob("*.py") if not p.stem.startswith("_"))


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "postgresql": _postgres_version(),
        "os": platform.platform(),
    }


def _postgres_version() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "not used"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - the version is informative only
        return f"unavailable ({type(exc).__name__})"


def run_child(name: str, size: str) -> dict:
    """In the child process: set up Django, run the scenario, add the process's peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    import django

    django.setup()
    module = importlib.import_module(f"bench.scenarios.{name}")
    if size not in getattr(module, "SIZES", {size: None}):
        raise SystemExit(f"场景 {name} 没有“{size}”规模：可选 {', '.join(module.SIZES)}")
    workdir = DATA / name / size
    workdir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]  # other work on the machine inflates timings: record how busy it was
    result = module.run(size, workdir)
    missing = [k for k in REQUIRED if k not in result]
    if missing:
        raise SystemExit(f"场景 {name} 的结果缺少字段：{', '.join(missing)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if result.get("peak_memory_mb") is None:
        result["peak_memory_mb"] = round(peak, 1)
    result["size"] = size
    result["load_average"] = {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)}
    return result


def run_scenario(name: str, size: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--child", name, "--size", size],
        capture_output=True,
        text=True,
        cwd=BENCH.parent,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return {"scenario": name, "size": size, "error": done.stderr.strip().splitlines()[-1:] or ["失败"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(results: list[dict], day: datetime.date) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{day.isoformat()}.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    keep = {(r["scenario"], r.get("size")) for r in results}
    runs = [r for r in runs if (r["scenario"], r.get("size")) not in keep] + results
    runs.sort(key=lambda r: (r["scenario"], r.get("size", "")))
    doc = {"date": day.isoformat(), "machine": machine(), "runs": runs}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    md = path.with_suffix(".md")
    md.write_text(markdown(doc))
    return path, md


def _fmt(mapping: dict, digits: int = 2) -> str:
    parts = []
    for k, v in mapping.items():
        if isinstance(v, float):
            v = f"{v:.{digits}f}"
        elif isinstance(v, int) and not isinstance(v, bool):
            v = f"{v:,}"
        parts.append(f"{k}: {v}")
    return "<br>".join(parts)


def markdown(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"# Benchmark results {doc['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory; Python {m['python']}; "
        f"PostgreSQL {m['postgresql']}; {m['os']}",
        "",
        "| scenario | size | sizes | times (s) | ratios | peak memory (MB) | load (start/end) | targets | notes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["runs"]:
        if "error" in r:
            lines.append(f"| {r['scenario']} | {r.get('size', '')} | | | | | | | FAILED: {' '.join(r['error'])} |")
            continue
        targets = "<br>".join(f"{k}: {'met' if ok else 'NOT met'}" for k, ok in r["targets"].items())
        load = r.get("load_average")  # not recorded before 2026-11-23's second session
        load = f"{load['start']} / {load['end']}" if load else "–"
        lines.append(
            f"| {r['scenario']} | {r['size']} | {_fmt(r['sizes'])} | {_fmt(r['timings_s'])} | {_fmt(r['ratios'], 1)} "
            f"| {r['peak_memory_mb']} | {load} | {targets} | {r['notes']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description="运行 bench/scenarios 下的基准场景")
    parser.add_argument("scenario", nargs="*", help=f"场景名（默认全部：{', '.join(scenarios())}）")
    parser.add_argument(
        "--size",
        default="small",
        help="small、full 或 province（一个省的规模，issue 23，只有部分场景有）；个别场景另有规模，见 bench/README.md",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.size), ensure_ascii=False, default=str))
        return
    names = args.scenario or scenarios()
    unknown = sorted(set(names) - set(scenarios()))
    if unknown:
        parser.error(f"没有这些场景：{', '.join(unknown)}")
    results = []
    for name in names:
        print(f"→ {name} ({args.size}) …", flush=True)
        result = run_scenario(name, args.size)
        results.append(result)
        print(f"  {'失败' if 'error' in result else result['timings_s']}", flush=True)
    json_path, md_path = save(results, datetime.date.today())
    print(f"结果：{json_path} 与 {md_path}")
    if any("error" in r for r in results):
        raise SystemExit(1)
