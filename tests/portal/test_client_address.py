"""The portal's per-address limit counts the real client: behind a trusted proxy the forwarded address, from
anyone else the connection's address whatever X-Forwarded-For says."""

import ipaddress

import pytest
from django.test import Client

from tests.portal.test_portal import verify

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


def _client(remote, forwarded=None):
    return Client(REMOTE_ADDR=remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}))


def test_a_forged_forwarded_for_does_not_escape_the_per_address_limit(sms, family, settings):
    settings.HUIMIN_PORTAL_VERIFY_PER_IP_PER_HOUR = 2
    settings.HUIMIN_TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    _, (wang, li, child) = family
    assert verify(_client("203.0.113.5", "1.1.1.1"), sms, "王芳", child.id_number, "13900000001").status_code == 400
    assert verify(_client("203.0.113.5", "2.2.2.2"), sms, "王芳", li.id_number, "13900000002").status_code == 400
    third = verify(_client("203.0.113.5", "3.3.3.3"), sms, "王芳", wang.id_number, "13800138000")
    assert third.status_code == 429  # one address, whatever header it forges


def test_behind_the_trusted_proxy_each_resident_has_a_limit_of_their_own(sms, family, settings):
    settings.HUIMIN_PORTAL_VERIFY_PER_IP_PER_HOUR = 2
    settings.HUIMIN_TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    _, (wang, li, child) = family
    busy = "198.51.100.7"
    assert verify(_client(PROXY, busy), sms, "王芳", child.id_number, "13900000001").status_code == 400
    assert verify(_client(PROXY, busy), sms, "王芳", li.id_number, "13900000002").status_code == 400
    assert verify(_client(PROXY, busy), sms, "王芳", wang.id_number, "13800138000").status_code == 429
    # another resident through the same proxy is not refused because of the first one
    assert verify(_client(PROXY, "198.51.100.8"), sms, "王芳", wang.id_number, "13800138000").url == "/portal/me/"
