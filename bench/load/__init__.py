"""The load test: a locustfile (``locustfile.py``) and a runner on locust's library API (``run.py``) that the
``load`` scenario (bench/scenarios/load.py) starts in its own process, so gevent's monkey-patching stays out of
the Django process."""
