import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from huimin.core import services
from huimin.core.models import AuditEntry, Region, RoleAssignment, User
from huimin.core.roles import BusinessLine, Role
from tests.conftest import PASSWORD, TOWN_A, TOWN_B


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_on_the_workbench(client, users):
    response = _login(client, "clerk_a", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "经办员" in page and "顺河街道" in page


def test_account_is_locked_after_the_configured_number_of_failures(client, users):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        assert _login(client, "clerk_a", "wrong-password").status_code in (200, 429)
    locked = _login(client, "clerk_a", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # another account from the same office address is not locked
    assert _login(client, "clerk_b", PASSWORD).status_code == 302


def test_wrong_password_message_is_chinese(client, users):
    response = _login(client, "clerk_a", "wrong-password")
    assert "请输入一个正确的" in response.content.decode()


def test_temporary_password_must_be_changed_before_anything_else(client, make_user, regions):
    make_user("newbie", Role.CLERK, TOWN_A, must_change_password=True)
    _login(client, "newbie", PASSWORD)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("password_change")
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk"},
    )
    assert weak.status_code == 200 and "至少 3 类" in weak.content.decode()
    strong = "Gx7#weq-Lp29"
    ok = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    user = User.objects.get(username="newbie")
    assert not user.must_change_password and user.check_password(strong)
    assert user.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="core.user.change_password", object_id=str(user.pk)).exists()


def test_idle_session_expires(client, users):
    _login(client, "clerk_a", PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 60 * 60
    assert "huimin.core.sessions.IdleSessionMiddleware" in settings.MIDDLEWARE  # the clock restarts while in use


def test_separation_of_the_three_system_roles(users):
    sysadmin, security = users["sysadmin"], users["security"]
    town = Region.objects.get(code=TOWN_B)
    user, password = services.create_user(sysadmin, username="lb_clerk", full_name="王经办", region=town)
    assert user.role == "" and user.must_change_password and user.check_password(password)
    with pytest.raises(PermissionDenied):
        services.create_user(sysadmin, username="x1", full_name="x", region=town, role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.grant_role(sysadmin, user, Role.CLERK, BusinessLine.ASSISTANCE)  # the admin cannot give roles
    with pytest.raises(PermissionDenied):
        services.create_user(security, username="x2", full_name="x", region=town)  # nor security create users
    services.grant_role(security, user, Role.CLERK, BusinessLine.ASSISTANCE)
    user.refresh_from_db()
    assert user.role == Role.CLERK
    with pytest.raises(services.ServiceError):
        services.grant_role(security, security, Role.CLERK, BusinessLine.ASSISTANCE)  # nobody changes their own role
    actions = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"core.user.create", "core.user.grant_role"} <= actions


def test_user_management_is_limited_to_ones_subtree(users, make_user, login):
    town_admin = make_user("town_admin", Role.SYSADMIN, TOWN_A)
    client = login(town_admin)
    other = users["clerk_b"]
    assert client.get(f"/system/users/{other.pk}/").status_code == 404
    response = client.post("/system/users/new/", {"username": "zz_new", "full_name": "某某", "region": TOWN_B})
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="zz_new").exists()


def test_system_roles_see_no_personal_data(users):
    from huimin.core.scope import scoped
    from huimin.registry.models import Person

    for role in ("sysadmin", "security", "auditor"):
        assert scoped(Person.objects.all(), users[role]).count() == 0


def test_createadmin_creates_the_three_accounts(db, capsys):
    call_command("createadmin", "--region", "411700", "--prefix", "zmd_")
    out = capsys.readouterr().out
    roles = dict(RoleAssignment.objects.filter(user__username__startswith="zmd_").values_list("user__username", "role"))
    assert roles == {"zmd_sysadmin": "sysadmin", "zmd_security": "security", "zmd_auditor": "auditor"}
    assert "临时密码" in out
    assert all(User.objects.get(username=u).must_change_password for u in roles)


def test_error_pages_speak_chinese(users, login):
    response = login(users["clerk_a"]).get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
