"""Calls made at the same instant, for the tests of a check and the write it guards: each call runs in its own
thread, so on its own database connection (Django's connections are per thread), released together by a barrier.
The test is ``django_db(transaction=True)``: the threads read what the test committed, and one another's commits."""

import threading
import time
from functools import wraps

from django.db import connection


def at_once(*calls, timeout: float = 60) -> list:
    """Run ``calls`` together; return what each returned or the exception it raised, in the calls' order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001 — the outcome the test asserts on
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a call did not finish"
    return outcomes


def slowed(function, seconds: float = 0.5):
    """``function``, then a pause: widens the window between a check and the write it guards, so that two calls
    made at once both pass the check unless something makes them take turns."""

    @wraps(function)
    def slow(*args, **kwargs):
        result = function(*args, **kwargs)
        time.sleep(seconds)
        return result

    return slow
