"""``huimin serve``: the web server and the task worker together, as ``make demo`` and ``make serve`` run them.
When either stops (Ctrl-C, or the server exits) the other is stopped too, so no worker is left behind."""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

GRACE_SECONDS = 10


def run_together(commands: list[list[str]], *, poll: float = 0.5) -> int:
    """Start every command; when the first exits (or on Ctrl-C / SIGTERM), stop the others. Returns the exit code
    of the one that ended first (0 after an interruption)."""
    processes = [subprocess.Popen(argv) for argv in commands]
    code = 0

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(poll)
        code = next(p.returncode for p in processes if p.returncode is not None)
    except KeyboardInterrupt:
        code = 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        for p in processes:
            if p.poll() is None:
                p.terminate()
        for p in processes:
            try:
                p.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return code


class Command(BaseCommand):
    help = "启动网页服务与后台任务进程（处理台账导入、监测运行等排队任务）；任一停止时两者一起停止"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="网页服务地址与端口")

    def handle(self, *args, addrport, **options):
        huimin = [sys.executable, "-m", "huimin"]
        self.stdout.write(f"启动网页服务（http://{addrport}/）与后台任务进程；按 Ctrl-C 同时停止两者。")
        code = run_together([[*huimin, "runserver", addrport], [*huimin, "db_worker"]])
        if code:
            raise CommandError(f"网页服务或后台任务进程已退出（退出码 {code}），另一个也已停止")
        return None
