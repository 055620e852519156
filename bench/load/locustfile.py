"""Staff users of the demo city on realistic paths, each logged in once, as a demo account of its own region.

The plan (JSON, path in ``HUIMIN_LOAD_PLAN``) lists accounts with what exists in their region: household ids,
person names, application ids. Simulated user *i* takes account *i* (round robin), logs in once (so django-axes
never sees a failure and no login is repeated), fetches the static files a first visit loads, then works the
lists, searches and detail pages; a county approver also opens the statistics dashboard. Any status other than
200, or a page that turns out to be the login form, counts as an error.

Run it alone: ``HUIMIN_LOAD_PLAN=plan.json locust -f bench/load/locustfile.py --host http://127.0.0.1:8000``.
"""

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, task

PASSWORD = "Huimin@2026"  # noqa: S105 - the documented password of the demo accounts
STATIC = ["/static/vendor/bootstrap.min.css", "/static/vendor/bootstrap.bundle.min.js", "/static/vendor/htmx.min.js"]
LOGIN_FORM = 'id="id_password"'  # the login form: a page answered with it means the session was lost
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WAIT = (float(os.environ.get("HUIMIN_LOAD_WAIT_MIN", "1")), float(os.environ.get("HUIMIN_LOAD_WAIT_MAX", "5")))
_PLAN = None
_NEXT = itertools.count()
LOGGED_IN = [0]  # users whose on_start has finished (the runner measures once all have)


def plan() -> list[dict]:
    global _PLAN
    if _PLAN is None:
        with open(os.environ["HUIMIN_LOAD_PLAN"], encoding="utf-8") as f:
            _PLAN = json.load(f)["accounts"]
    return _PLAN


class Staff(FastHttpUser):
    """A township clerk or reviewer, or a county approver, working in its own region."""

    wait_time = between(WAIT[0], WAIT[1])

    def on_start(self):
        accounts = plan()
        self.account = accounts[next(_NEXT) % len(accounts)]
        self.rng = random.Random(self.account["username"])  # noqa: S311 - picking pages, not secrets
        page = self.client.get("/login/", name="GET /login/")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/login/",
            data={"username": self.account["username"], "password": PASSWORD,
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + "/login/"},
            name="POST /login/",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200 or LOGIN_FORM in (response.text or ""):
                response.failure(f"登录失败：{self.account['username']} → {response.status_code}")
        for path in STATIC:
            self._get(path, "GET /static/…", page=False)
        LOGGED_IN[0] += 1

    def _get(self, path: str, name: str, page: bool = True):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif page and LOGIN_FORM in (response.text or ""):
                response.failure("被重定向到登录页")

    def _pick(self, key: str):
        values = self.account[key]
        return self.rng.choice(values) if values else None

    @task(3)
    def person_list(self):
        status = self.rng.choice(["", "alive", "disabled"])
        self._get(f"/registry/persons/?region={self.account['region']}&status={status}", "persons list ?region&status")

    @task(2)
    def household_list(self):
        programme = self.rng.choice(["", "dibao", "tekun_scattered"])
        self._get(f"/registry/households/?active=1&programme={programme}", "households list ?active&programme")

    @task(3)
    def name_search(self):
        name = self._pick("names")
        if name:
            self._get(f"/registry/persons/?q={name}", "persons search ?q=name")

    @task(3)
    def household(self):
        pk = self._pick("households")
        if pk:
            self._get(f"/registry/households/{pk}/", "household page")

    @task(2)
    def applications(self):
        self._get("/assistance/?stage=open", "applications list ?stage=open")

    @task(2)
    def application(self):
        pk = self._pick("applications")
        if pk:
            self._get(f"/assistance/applications/{pk}/", "application detail")

    @task(2)
    def api_persons(self):
        self._get(f"/api/registry/persons?region={self.account['region']}&page_size=30", "API persons list", page=False)

    @task(2)
    def stats(self):
        if self.account["stats"]:
            self._get("/stats/", "stats dashboard")
