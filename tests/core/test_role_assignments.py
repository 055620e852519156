"""Roles per business line: an account holds one or more (role, line) assignments; capabilities are their union;
a line's capabilities stay on that line; the three system roles stay exclusive."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from huimin.core import audit, roles, services
from huimin.core.context import actor_for
from huimin.core.models import AuditEntry, RoleAssignment, User
from huimin.core.roles import PII_UNMASK, BusinessLine, Role, capabilities_of
from tests.conftest import COUNTY, TOWN_A

ASSISTANCE, ELDERLY = BusinessLine.ASSISTANCE, BusinessLine.ELDERLY
# a line that runs no programme on the assistance machinery (养老服务 and 残疾人福利 do: their subsidies)
ORGS = BusinessLine.ORGS


def test_capabilities_are_the_union_of_the_assignments(users, make_user):
    clerk_and_reviewer = make_user("both", Role.CLERK, TOWN_A, also=[(Role.REVIEWER, ASSISTANCE)])
    caps = capabilities_of(clerk_and_reviewer)
    assert "assistance.accept" in caps  # a clerk's step
    assert "assistance.confirm_delegated" in caps  # a reviewer's
    assert caps == capabilities_of(users["clerk_a"]) | capabilities_of(users["reviewer_a"])
    assert clerk_and_reviewer.role_label == "经办员（社会救助）、审核人（社会救助）"


def test_a_line_does_not_give_another_lines_capabilities(users, make_user, login):
    elderly = make_user("sz_approver", Role.APPROVER, COUNTY, line=ORGS)
    caps = capabilities_of(elderly)
    assert PII_UNMASK in caps and "people.view" in caps  # the shared registry of persons
    assert not {c for c in caps if c.split(".")[0] in ("assistance", "benefits", "monitoring", "verification", "stats")}
    assert capabilities_of(users["approver"]) >= {"assistance.approve", "benefits.pay"}
    client = login(elderly)
    assert client.get(reverse("assistance:applications")).status_code == 403
    assert client.get(reverse("benefits:payroll_months")).status_code == 403
    assert client.get(reverse("stats:dashboard")).status_code == 403  # 社会救助's figures
    assert "救助申请" not in client.get("/").content.decode()  # no 社会救助 menu either
    assert login(users["approver"]).get(reverse("assistance:applications")).status_code == 200


def test_a_business_app_names_its_line(users, make_user, monkeypatch):
    monkeypatch.setattr(roles, "LINE_CAPABILITIES", dict(roles.LINE_CAPABILITIES))
    roles.extend(Role.CLERK, "elderly.assess", line=ELDERLY)
    township_clerk = make_user("mzs", Role.CLERK, TOWN_A, also=[(Role.CLERK, ELDERLY)])
    assert "elderly.assess" in capabilities_of(township_clerk)
    assert "elderly.assess" not in capabilities_of(users["clerk_a"])  # 社会救助 only
    with pytest.raises(ValueError):
        roles.extend(Role.SYSADMIN, "people.view")
    with pytest.raises(ValueError):
        roles.extend(Role.CLERK, "x.y", line="nonexistent")


def test_system_roles_are_exclusive(users, make_user):
    security = users["security"]
    with pytest.raises(services.AccountRefused, match="三员账号不能再持有业务角色"):
        services.grant_role(security, users["auditor"], Role.STATISTICIAN, ASSISTANCE)
    assert AuditEntry.objects.filter(action="core.user.refused", object_id=str(users["auditor"].pk)).exists()
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=users["clerk_a"], role=Role.SYSADMIN, line=ASSISTANCE)
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=users["clerk_a"], role=Role.CLERK, line="")


def test_the_user_pages_grant_and_revoke_roles_per_line(users, login):
    clerk = users["clerk_a"]
    client = login(users["security"])
    response = client.post(reverse("core:user_assign_role", args=[clerk.pk]), {"role": Role.CLERK, "line": ORGS})
    assert response.status_code == 302
    page = client.get(reverse("core:user_detail", args=[clerk.pk])).content.decode()
    assert "养老服务" in page and "社会救助" in page
    assert "经办员（社会救助）、经办员（社会组织）" in client.get(reverse("core:users")).content.decode()
    again = client.post(
        reverse("core:user_assign_role", args=[clerk.pk]), {"role": Role.CLERK, "line": ORGS}, follow=True
    )
    assert "该账号已是社会组织条线的经办员" in again.content.decode()
    missing = client.post(reverse("core:user_assign_role", args=[clerk.pk]), {"role": Role.CLERK}, follow=True)
    assert "请选择业务条线" in missing.content.decode()
    assignment = clerk.role_assignments.get(line=ASSISTANCE)
    client.post(reverse("core:user_revoke_role", args=[clerk.pk, assignment.pk]))
    clerk.refresh_from_db()
    assert clerk.role_pairs == ((Role.CLERK, ORGS),)
    assert "assistance.view" not in capabilities_of(clerk)
    actions = list(AuditEntry.objects.filter(object_id=str(clerk.pk)).values_list("action", flat=True))
    assert "core.user.grant_role" in actions and "core.user.revoke_role" in actions


def test_the_audit_entry_names_every_role_of_the_actor(make_user, regions):
    both = make_user("both", Role.CLERK, TOWN_A, also=[(Role.REVIEWER, ELDERLY)])
    entry = audit.record("test.action", both, actor=actor_for(both))
    assert entry.actor_role == "clerk,reviewer"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_turns_every_role_into_an_assignment():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    (migration,) = [key for key in graph.nodes if key[0] == "core" and "role_assignments" in key[1]]
    before = [parent.key for parent in graph.node_map[migration].parents if parent.key[0] == "core"]
    executor.migrate(before)
    old_user = executor.loader.project_state(before).apps.get_model("core", "User")
    for username, role in [("m_clerk", "clerk"), ("m_approver", "approver"), ("m_audit", "auditor"), ("m_none", "")]:
        old_user.objects.create(username=username, role=role, region_id="411700000000")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = {u.username: u.role_pairs for u in User.objects.filter(username__startswith="m_")}
    assert moved == {
        "m_clerk": (("clerk", "assistance"),),
        "m_approver": (("approver", "assistance"),),
        "m_audit": (("auditor", ""),),
        "m_none": (),
    }
    RoleAssignment.objects.create(user=User.objects.get(username="m_clerk"), role=Role.REVIEWER, line=ELDERLY)
    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: one role again, the 社会救助 one first
    back = executor.loader.project_state(before).apps.get_model("core", "User")
    assert dict(back.objects.filter(username__startswith="m_").values_list("username", "role")) == {
        "m_clerk": "clerk",
        "m_approver": "approver",
        "m_audit": "auditor",
        "m_none": "",
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
