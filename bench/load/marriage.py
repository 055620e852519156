"""婚姻登记员 at the window, for the marriage benchmark (``bench/scenarios/marriage.py``): each simulated officer
logs in once as its own account of the plan (JSON, path in ``HUIMIN_LOAD_PLAN``: accounts, the office, and for
each account the couples it registers), opens the registration form once (its CSRF token), then registers one
couple after another — ``POST /marriage/offices/<pk>/register/`` with ``action=register`` — waiting between
couples. Only a 302 to the new record counts as success; the redirect is not followed (the POST is what is timed).
An officer whose couples are all registered stops."""

import itertools
import json
import os
import re

from locust import FastHttpUser, between, task
from locust.exception import StopUser

PASSWORD = "Huimin@2026"  # noqa: S105 - the benchmark officers' password
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WAIT = (float(os.environ.get("HUIMIN_LOAD_WAIT_MIN", "0.5")), float(os.environ.get("HUIMIN_LOAD_WAIT_MAX", "1.5")))
_PLAN = None
_NEXT = itertools.count()
LOGGED_IN = [0]


def plan() -> dict:
    global _PLAN
    if _PLAN is None:
        with open(os.environ["HUIMIN_LOAD_PLAN"], encoding="utf-8") as f:
            _PLAN = json.load(f)
    return _PLAN


class Officer(FastHttpUser):
    wait_time = between(WAIT[0], WAIT[1])

    def _token(self, path: str, name: str) -> str:
        page = self.client.get(path, name=name)
        found = CSRF.search(page.text or "")
        return found.group(1) if found else ""

    def on_start(self):
        p = plan()
        self.account = p["accounts"][next(_NEXT) % len(p["accounts"])]
        self.couples = iter(self.account["couples"])
        self.path = f"/marriage/offices/{p['office']}/register/"
        with self.client.post(
            "/login/",
            data={"username": self.account["username"], "password": PASSWORD,
                  "csrfmiddlewaretoken": self._token("/login/", "GET /login/")},
            headers={"Referer": self.host + "/login/"}, name="POST /login/", catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200 or 'id="id_password"' in (response.text or ""):
                response.failure(f"登录失败：{self.account['username']} → {response.status_code}")
        self.csrf = self._token(self.path, "GET register form")
        LOGGED_IN[0] += 1

    @task
    def register(self):
        couple = next(self.couples, None)
        if couple is None:
            raise StopUser()
        data = {
            "csrfmiddlewaretoken": self.csrf,
            "action": "register",
            "no_kinship": "on",
            "male_name": "男方",
            "male_id_number": couple[0],
            "female_name": "女方",
            "female_id_number": couple[1],
        }
        with self.client.post(
            self.path, data=data, headers={"Referer": self.host + self.path}, name="POST register",
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302 or "/marriage/records/" not in response.headers.get("Location", ""):
                response.failure(f"{response.status_code}")
