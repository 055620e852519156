"""Where the machine's CPU went during the measured window: gunicorn, PostgreSQL, locust and the rest.

Each figure is a process tree's CPU time from ``/proc`` (user + system, with the reaped children's, so a backend
or worker that ended inside the window still counts): read at the start and the end, the difference divided by the
window. The machine's busy time comes from ``/proc/stat``. Linux only; elsewhere the figures are ``None``.
"""

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and its reaped children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return int(fields[1]), sum(int(f) for f in fields[11:15])  # ppid; utime, stime, cutime, cstime


def tree_ticks(root: int) -> int | None:
    """CPU ticks of ``root`` and every live descendant."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (s := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = s
    if root not in stats:
        return None
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return total


def machine_ticks() -> tuple[int, int] | None:
    """(busy, all) CPU ticks of the whole machine."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def snapshot(roots: dict[str, int]) -> dict:
    return {"trees": {name: tree_ticks(pid) for name, pid in roots.items()}, "machine": machine_ticks()}


def share(before: dict, after: dict, seconds: float, requests: int) -> dict:
    """Cores used by each tree over the window, the machine's busy cores, and CPU milliseconds per request."""
    out = {}
    for name, start in before["trees"].items():
        end = after["trees"].get(name)
        out[name] = None if start is None or end is None else round((end - start) / TICK / seconds, 2)
    if before["machine"] and after["machine"]:
        busy = (after["machine"][0] - before["machine"][0]) / TICK / seconds
        out["machine_busy"] = round(busy, 2)
        out["other"] = round(busy - sum(v for k, v in out.items() if k != "machine_busy" and v), 2)
    per_request = {}
    if requests:
        per_request = {k: round(v * seconds * 1000 / requests, 1) for k, v in out.items() if v is not None}
    return {"cores": out, "cpu_ms_per_request": per_request}
