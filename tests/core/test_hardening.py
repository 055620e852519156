"""Hardening: the Content-Security-Policy, HSTS, the login lockout by account and address, the client address
behind trusted proxies only, the API docs from local files and behind login, and /pii/ ids."""

import ipaddress
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

import huimin
from huimin.core.middleware import client_ip
from huimin.core.models import AuditEntry
from huimin.registry.models import Person
from tests.conftest import PASSWORD, VILLAGE_A1

PROXY = "10.0.0.1"
BEHIND_PROXY = {"HUIMIN_TRUSTED_PROXIES": [ipaddress.ip_network("10.0.0.0/30")]}


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert _ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"
    with override_settings(**BEHIND_PROXY):
        assert _ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"  # the peer is no proxy of ours


@override_settings(**BEHIND_PROXY)
def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop():
    assert _ip(PROXY, "198.51.100.7") == "198.51.100.7"
    assert _ip(PROXY, "1.2.3.4, 198.51.100.7") == "198.51.100.7"  # what the client prepended is not believed
    assert _ip(PROXY, "198.51.100.7, 10.0.0.2") == "198.51.100.7"  # through two of our proxies
    assert _ip(PROXY, "not-an-address") == PROXY
    assert _ip(PROXY, "fe80::1%" + "x" * 60) == PROXY
    assert _ip(PROXY) == PROXY


def test_a_malformed_trusted_proxy_setting_stops_the_start():
    env = os.environ | {"HUIMIN_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"}
    result = subprocess.run(
        [sys.executable, "-c", "import huimin.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "proxy.example" in result.stderr


@pytest.fixture
def person(regions):
    return Person.objects.create(name="张三", id_number="410102199001011234", region_id=VILLAGE_A1)


def test_the_audit_trail_records_the_client_behind_a_trusted_proxy_only(person, users):
    client = Client()
    client.force_login(users["clerk_a"])
    url = f"/pii/registry.Person/{person.pk}/id_number/"
    client.post(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AuditEntry.objects.filter(action="pii.reveal").latest("seq").ip == "203.0.113.9"
    with override_settings(**BEHIND_PROXY):
        client.post(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AuditEntry.objects.filter(action="pii.reveal").latest("seq").ip == "198.51.100.7"


def _login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_failed_logins_lock_the_account_from_that_address_only(users):
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "clerk_a", "wrong-password", **attacker)
    locked = _login(Client(), "clerk_a", PASSWORD, **attacker)
    assert locked.status_code == 429 and "当前网络地址" in locked.content.decode()  # the attacking address is locked
    # the owner, from the office, still logs in
    assert _login(Client(), "clerk_a", PASSWORD, REMOTE_ADDR="203.0.113.20").status_code == 302
    # a forged X-Forwarded-For does not give the attacker a fresh address
    spoofed = attacker | {"HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert _login(Client(), "clerk_a", PASSWORD, **spoofed).status_code == 429


@override_settings(**BEHIND_PROXY)
def test_behind_the_proxy_the_lockout_follows_the_forwarded_address(users):
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "clerk_a", "wrong-password", **attacker)
    assert _login(Client(), "clerk_a", PASSWORD, **attacker).status_code == 429
    office = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert _login(Client(), "clerk_a", PASSWORD, **office).status_code == 302


def test_a_non_numeric_id_in_a_pii_url_is_not_found(users, login):
    client = login(users["clerk_a"])
    for pk in ("abc", "1.5", "1%20OR%201=1"):
        response = client.post(f"/pii/registry.Person/{pk}/id_number/")
        assert response.status_code == 404, pk


# --- the Content-Security-Policy ------------------------------------------------------------------------------


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


SOURCE = Path(huimin.__file__).parent
# Rendered by WeasyPrint into PDF, never sent to a browser: their <style> is the print layout.
PRINT_ONLY = re.compile(r"/pdf/|report_print\.html$")


def _browser_templates():
    return [p for p in SOURCE.rglob("templates/**/*.html") if not PRINT_ONLY.search(p.as_posix())]


def test_no_template_has_inline_script_event_handlers_or_styles():
    offences = []
    for path in _browser_templates():
        text = path.read_text()
        for pattern, what in (
            (r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
            (r"\son[a-z]+\s*=", "event-handler attribute"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style", "<style> element"),
            (r"javascript:", "javascript: URL"),
            (r"hx-on", "hx-on (needs eval)"),
        ):
            offences += [f"{path.relative_to(SOURCE)}: {what}" for _ in re.findall(pattern, text)]
    assert offences == []
    assert len(_browser_templates()) > 50  # the scan really read the templates


# --- HSTS and the production defaults ---------------------------------------------------------------------------


def _production_settings() -> dict:
    env = os.environ | {
        "HUIMIN_PRODUCTION": "1", "HUIMIN_SECRET_KEY": "x" * 50, "HUIMIN_FIELD_KEYS": "k1:" + "A" * 24,
        "HUIMIN_BLIND_INDEX_KEY": "B" * 44,
    }  # fmt: skip
    env.pop("HUIMIN_API_DOCS_PUBLIC", None)
    code = (
        "import json, huimin.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
        "'HUIMIN_API_DOCS_PUBLIC')}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_production_sends_hsts_and_keeps_the_api_docs_behind_login(client):
    production = _production_settings()
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_SSL_REDIRECT"] and production["SESSION_COOKIE_SECURE"]
    assert production["HUIMIN_API_DOCS_PUBLIC"] is False
    assert settings.HUIMIN_API_DOCS_PUBLIC  # outside production the docs stay open
    with override_settings(
        SECURE_HSTS_SECONDS=production["SECURE_HSTS_SECONDS"],
        SECURE_PROXY_SSL_HEADER=tuple(production["SECURE_PROXY_SSL_HEADER"]),
    ):
        response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == f"max-age={production['SECURE_HSTS_SECONDS']}"


# --- the API documentation ------------------------------------------------------------------------------------


@override_settings(HUIMIN_API_DOCS_PUBLIC=False)
def test_api_docs_need_a_login_when_not_public(client, users):
    docs = client.get("/api/docs")
    assert docs.status_code == 302 and docs.url.startswith(reverse("login"))
    document = client.get("/api/openapi.json")
    assert document.status_code == 401 and document.json()["code"] == "unauthenticated"
    client.force_login(users["clerk_a"])
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "惠民 API"


def test_api_docs_load_only_local_files_and_they_resolve(client):
    page = client.get("/api/docs").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in u for u in urls) and any("swagger-ui.css" in u for u in urls)
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content if response.streaming else [response.content])
    settings_json = json.loads(re.search(r'id="swagger-settings"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert settings_json["url"] == "/api/openapi.json"
