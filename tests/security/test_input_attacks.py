"""Input attacks over every page, found from the authorisation matrix and the URL resolver, so a new page is
covered as soon as it has a matrix entry:

- SQL injection: every GET form's fields (search boxes, filters) and every API list parameter receive injection
  strings; the answer is never a 500 and never has more rows than a harmless non-matching value gets.
- XSS: a markup payload is written into every free-text column of every Huimin model; every page then renders
  it escaped, never as markup.
- CSRF: every POST of the matrix, sent without a token, is refused with the Chinese 403 page.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from huimin.api import api
from huimin.core.roles import BusinessLine, Role, capabilities_for
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1
from tests.security.matrix import MATRIX, PUBLIC
from tests.security.test_authorization_matrix import ROLE_USERS, role_capabilities, targets  # noqa: F401

# Township roles first: their in-scope targets are the matrix's, and they see the case pages with their forms.
ROLE_ORDER = [
    Role.CLERK,
    Role.REVIEWER,
    Role.APPROVER,
    Role.ASSISTANT,
    Role.STATISTICIAN,
    Role.SYSADMIN,
    Role.SECURITY,
    Role.AUDITOR,
]


ELDERLY_CLERK = "clerk_elderly"  # a township clerk on the 养老服务 line, for the pages no 社会救助 role may open


# the other business lines' staff, for the pages no 社会救助 role may open: (role, line) → user key and region
LINE_ROLES = {Role.CLERK: TOWN_A, Role.REVIEWER: TOWN_A, Role.APPROVER: COUNTY, Role.ASSISTANT: VILLAGE_A1}


def _line_key(role, line) -> str:
    return ELDERLY_CLERK if (role, line) == (Role.CLERK, BusinessLine.ELDERLY) else f"{role}_{line}_attack"


@pytest.fixture
def users(users, make_user):
    extra = {}
    for line in BusinessLine.values:
        if line == BusinessLine.ASSISTANCE:
            continue
        for role, region in LINE_ROLES.items():
            key = _line_key(role, line)
            extra[key] = make_user(key, role, region, line=line)
    return {**users, **extra}


def _caller(entry):
    """The user key of the first role that may call the entry (None for a public one)."""
    if entry.capability == PUBLIC:
        return None
    for role in ROLE_ORDER:
        if entry.capability is None or entry.capability in role_capabilities(role):
            return ROLE_USERS[role]
    for line in BusinessLine.values:
        for role in LINE_ROLES:
            if entry.capability in capabilities_for(role, line):
                return _line_key(role, line)
    return None  # a capability only API clients are granted (a device's event, a department's feed): anonymous


def _url(name, entry, targets, users, user_key):  # noqa: F811
    target = targets[entry.target][0] if entry.target else {}
    if callable(target):
        target = target(users[user_key or "clerk_a"])
    return reverse(name, kwargs=target.get("kwargs", entry.kwargs)) + target.get("query", entry.query)


def _client_for(users, user_key, **kwargs):
    client = Client(raise_request_exception=False, **kwargs)
    if user_key:
        client.force_login(users[user_key])
    return client


def _get(client, url, data=None):
    """One request in its own savepoint, rolled back: a failed statement (which aborts a PostgreSQL transaction)
    cannot spoil the next request of the test."""
    with transaction.atomic():
        response = client.get(url, data)
        transaction.set_rollback(True)
    return response


GET_PAGES = sorted(n for n, e in MATRIX.items() if e.method == "GET" and not n.startswith("api:"))
POSTS = sorted(n for n, e in MATRIX.items() if e.method == "POST")


# --- forms on a page ---------------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The GET forms of a page: their action and the names of their fields with default values."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = None
            if (a.get("method") or "get").lower() == "get":
                self._current = {"action": a.get("action") or "", "fields": {}}
                self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._current["fields"].setdefault(a["name"], None)
                return
            self._current["fields"][a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _get_forms(html: str):
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["fields"]]


def _rows(response) -> int:
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict):
            body = body.get("items", body.get("results", []))
        return len(body) if isinstance(body, list) else 0
    return len(re.findall(rb"<tr[\s>]", response.content))


SQLI = ["' OR '1'='1", "x%' OR 1=1 --", "1); DROP TABLE registry_person; --"]
NUL = "a\x00b"  # not an injection, but PostgreSQL refuses it: it must be a Chinese 400 or ignored, never a 500
HARMLESS = "zzqx9"


def test_sql_injection_in_every_search_box_and_filter(users, targets):  # noqa: F811
    """Each GET form field gets each injection string alone; 500s and extra rows are collected and reported."""
    failures, fields_tried = [], 0
    for name in GET_PAGES:
        entry = MATRIX[name]
        user_key = _caller(entry)
        client = _client_for(users, user_key)
        url = _url(name, entry, targets, users, user_key)
        page = _get(client, url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in _get_forms(page.content.decode()):
            action = form["action"] or url.split("?")[0]
            if not action.startswith("/"):
                continue
            defaults = {k: v for k, v in form["fields"].items() if v is not None}
            for field in form["fields"]:
                fields_tried += 1
                baseline = _get(client, action + "?" + urlencode({**defaults, field: HARMLESS}))
                for payload in [*SQLI, NUL]:
                    response = _get(client, action + "?" + urlencode({**defaults, field: payload}))
                    where = f"{name} {action} {field}={payload!r}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                    elif payload == NUL or response.status_code != 200 or baseline.status_code != 200:
                        continue
                    elif _rows(response) > _rows(baseline):
                        failures.append(f"{where}: {_rows(response)} rows, harmless value {_rows(baseline)}")
    assert fields_tried > 20, f"only {fields_tried} search/filter fields found: the form enumeration is broken"
    assert not failures, "\n".join(failures)


def _api_list_operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        op = methods.get("get")
        if not op or "{" in path:
            continue
        params = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
        yield path, op["operationId"], params


def test_sql_injection_in_every_api_query_parameter(users, targets):  # noqa: F811
    failures, tried = [], 0
    for _path, operation_id, params in _api_list_operations():
        entry = MATRIX.get(f"api:{operation_id}")
        if entry is None or entry.capability == PUBLIC:
            continue
        client = _client_for(users, _caller(entry))
        url = reverse(f"api:{operation_id}")
        for param in params:
            tried += 1
            baseline = _get(client, url, {param: HARMLESS})
            for payload in [*SQLI, NUL]:
                response = _get(client, url, {param: payload})
                if response.status_code >= 500:
                    failures.append(f"{url}?{param}={payload!r}: {response.status_code}")
                elif payload == NUL or response.status_code != 200 or baseline.status_code != 200:
                    continue
                elif _rows(response) > _rows(baseline):
                    failures.append(f"{url}?{param}={payload!r}: {_rows(response)} rows > {_rows(baseline)}")
    assert tried >= 3, "no API query parameters found"
    assert not failures, "\n".join(failures)


# --- stored XSS --------------------------------------------------------------------------------------------------

# Columns that are not free text a person types: identifiers, codes, hashes, paths, the audit chain (its rows
# cannot be updated; its free text is covered through an appended entry below).
NOT_FREE_TEXT = re.compile(
    r"(^|_)(password|hash|digest|bidx|path|sha256|token\w*|code|number|programme|prefix|object_id|object_type|"
    r"action|kind|stage|status|backend|delimiter|ip|email|username|actor_role|relation|fact_key|record_key|"
    r"exclusive_group|name_pinyin|name_initials|error_report|reference)$"
)
SKIP_MODELS = {"core.AuditEntry", "core.AuditHead"}


def _free_text_columns():
    for model in apps.get_models():
        if not model.__module__.startswith("huimin.") or model._meta.label in SKIP_MODELS:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField)) or f.choices or f.primary_key or f.unique:
                continue
            if type(f).__module__.startswith("huimin") or NOT_FREE_TEXT.search(f.name):
                continue  # encrypted and blind-index fields are shown masked
            if f.max_length and f.max_length < 12:
                continue
            if any(f.name in getattr(c, "fields", ()) for c in model._meta.constraints):
                continue  # one value in every row would break the constraint (a rule's steps, a code per scope)
            yield model, f


# What a user types and Huimin shows: each must be seen escaped on at least one page.
MUST_BE_SHOWN = {
    "registry.Person.name",
    "registry.Household.address",
    "assistance.Application.reason",
    "assistance.Objection.content",
    "assistance.Programme.name",
    "core.Region.name",
    "core.User.full_name",
    "verification.AssistRequest.target",
}


@pytest.mark.django_db
def test_stored_markup_is_escaped_on_every_page(users, targets):  # noqa: F811
    from huimin.core import audit

    columns = list(_free_text_columns())
    payloads = {}
    for i, (model, f) in enumerate(columns):
        payload = f'"><q{i}x>'
        payloads[payload] = f"{model._meta.label}.{f.name}"
        model.objects.update(**{f.name: payload})
    audit.record("security.test", detail='"><qauditx>')
    payloads['"><qauditx>'] = "core.AuditEntry.detail"
    seen, failures, pages = set(), [], 0
    for name in GET_PAGES:
        entry = MATRIX[name]
        user_key = _caller(entry)
        response = _get(_client_for(users, user_key), _url(name, entry, targets, users, user_key))
        if not response.get("Content-Type", "").startswith(("text/html", "application/json")):
            continue
        pages += 1
        body = response.content.decode(errors="replace")
        for payload, column in payloads.items():
            tag = payload[2:]  # <qNx>
            if tag in body:
                failures.append(f"{name}: {column} rendered as markup")
            if tag.replace("<", "&lt;").replace(">", "&gt;") in body or tag.replace("<", "\\u003C") in body:
                seen.add(column)
    assert pages > 30
    assert not failures, "\n".join(failures)
    missing = MUST_BE_SHOWN - seen
    assert not missing, f"payload never shown (the test would not notice markup there): {sorted(missing)}"


# --- CSRF --------------------------------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(users, targets):  # noqa: F811
    """Every POST of the matrix, by a caller allowed to make it, without the token: 403 and the Chinese page."""
    failures = []
    for name in POSTS:
        entry = MATRIX[name]
        if name == "verification:api_upload":
            continue  # departments call it with a bearer token and no cookies: nothing a forged page could borrow
        user_key = _caller(entry)
        with transaction.atomic():
            client = _client_for(users, user_key, enforce_csrf_checks=True)
            url = _url(name, entry, targets, users, user_key)
            if name.startswith("api:"):
                response = client.post(url, json.dumps(entry.data), content_type="application/json")
            else:
                response = client.post(url, entry.data)
            transaction.set_rollback(True)
        if response.status_code != 403:
            failures.append(f"{name}: {response.status_code}")
        elif not name.startswith("api:") and "CSRF 校验未通过" not in response.content.decode():
            failures.append(f"{name}: 403 without the Chinese CSRF page")
    assert len(POSTS) > 20
    assert not failures, "\n".join(failures)
