"""``huimin demo load`` gives a browsable city: counts, staff who can log in, ciphertext at rest."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from huimin.core.models import Region, RoleAssignment, User
from huimin.core.roles import BusinessLine, Role
from huimin.demo import loader
from huimin.registry.models import Household, Membership, Person


@pytest.fixture
def loaded(db):
    return loader.load(500, seed=3)


def test_load_builds_a_city(loaded):
    assert Person.objects.count() == loaded.persons >= 500
    assert Household.objects.count() == loaded.households
    assert Membership.objects.filter(ended_on__isnull=True).count() == loaded.persons
    assert not Household.objects.filter(head__isnull=True).exists()
    towns = Region.objects.filter(level=4, code__startswith="4117")
    assert towns.count() >= 20 and Region.objects.filter(level=5, code__startswith="4117").count() >= 60
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.with_role(Role.CLERK, BusinessLine.ASSISTANCE).count() == towns.count()
    assert not User.objects.filter(must_change_password=True).exists()
    # the sequences moved past the explicit ids: an ordinary save still works
    household = Household.objects.first()
    Person.objects.create(name="新登记", region=household.region, id_number="", household=household)
    # 婚姻登记: an office per county, a year of registrations and a digitised archive, numbered gap-free
    from huimin.marriage.models import Counter, Office, Record

    assert Office.objects.count() == Region.objects.filter(level=3, code__startswith="4117").count()
    assert Record.objects.filter(source="archive").exists() and Record.objects.filter(kind="divorce").exists()
    for c in Counter.objects.filter(prefix="J"):
        assert (
            Record.objects.filter(
                office=c.office, kind="marriage", number__startswith=f"J{c.office.region_id[:6]}-{c.year}-"
            ).count()
            == c.last
        )


def test_the_aged_allowance_is_confirmed_and_on_the_demo_payrolls(loaded):
    """高龄津贴 免申即享: each county's bands are set, one month's proposal confirmed by the county's 养老服务 approver,
    and its recipients are paid by the demo payrolls out of the 高龄津贴 fund."""
    from huimin.assistance.models import Enrolment
    from huimin.benefits.models import PayrollLine
    from huimin.elderly.models import AllowanceBatch

    enrolled = Enrolment.objects.filter(programme__code="aged_allowance")
    assert enrolled.count() > 0 and AllowanceBatch.objects.filter(confirmed_by__startswith="yl").exists()
    assert set(enrolled.values_list("monthly_amount", flat=True)) <= {50, 100, 300}
    paid = PayrollLine.objects.filter(programme_code="aged_allowance", amount__gt=0)
    assert paid.values("enrolment_id").distinct().count() == enrolled.count()
    # 养老服务补贴 and 护理补贴: a few applications through the chain, the 护理补贴 at the 重度失能 standard
    care = Enrolment.objects.filter(programme__code="elderly_care")
    assert Enrolment.objects.filter(programme__code="elderly_service").exists() and care.exists()
    assert set(care.values_list("monthly_amount", flat=True)) == {200}


def test_the_two_subsidies_in_meishans_proportions_and_by_the_rules(loaded):
    """31,604 生活补贴 and 38,611 护理补贴 recipients per 2.95 million people (眉山), each enrolled as the chain leaves
    them: a valid certificate of his own, 生活补贴 in a 低保 household and never beside 特困, 护理补贴 for grade 1–2;
    the 县残联 and 残疾人福利 logins exist and the demo payroll pays them."""
    import datetime

    from huimin.assistance import overlaps
    from huimin.assistance.models import Enrolment
    from huimin.benefits.models import PayrollLine
    from huimin.demo import disability
    from huimin.registry.certificates import parse_certificate

    for code, share in ((disability.LIVING, disability.LIVING_SHARE), (disability.CARE, disability.CARE_SHARE)):
        enrolments = Enrolment.objects.filter(programme__code=code, status="active").select_related("person")
        assert abs(enrolments.count() - share * loaded.persons) <= 1.5
        assert PayrollLine.objects.filter(enrolment__programme__code=code, amount=disability.STANDARDS[code]).exists()
        for enrolment in enrolments:
            person = enrolment.person
            assert parse_certificate(person.disability_cert_no, person.id_number) == (
                person.disability_category,
                person.disability_grade,
            )
            overlaps.check_eligible(
                enrolment.programme, person, enrolment.household, enrolment.region_id, datetime.date(2026, 10, 31),
                grade=person.disability_grade, category=person.disability_category,
                exclude_application_id=enrolment.application_id,
            )  # fmt: skip
    county = Region.objects.filter(level=3, code__startswith="4117").first().code[:6]
    federation = User.objects.get(username=f"{loader.FEDERATION_PREFIX}{county}")
    assert federation.role_pairs == ((Role.FEDERATION_REVIEWER, BusinessLine.DISABILITY),)
    approver = User.objects.get(username=f"{loader.DISABILITY_PREFIX}{county}")
    assert approver.role_pairs == ((Role.APPROVER, BusinessLine.DISABILITY),)


def test_demo_staff_hold_roles_per_business_line(loaded, client):
    township_clerk = User.objects.with_role(Role.CLERK, BusinessLine.ASSISTANCE).first()
    assert {line for _, line in township_clerk.role_pairs} == set(loader.TOWNSHIP_LINES)  # a 民政所 does several
    elderly = User.objects.with_role(Role.APPROVER, BusinessLine.ELDERLY).first()
    assert elderly.username.startswith(loader.ELDERLY_PREFIX) and elderly.role_pairs == (
        (Role.APPROVER, BusinessLine.ELDERLY),
    )
    orgs = User.objects.with_role(Role.APPROVER, BusinessLine.ORGS).first()
    assert orgs.username.startswith(loader.ORGS_APPROVER_PREFIX)
    client.force_login(orgs)  # a line with no programme on the assistance machinery (养老服务 runs its subsidies there)
    assert client.get(reverse("assistance:applications")).status_code == 403  # no 社会救助 duty
    assert client.get(reverse("registry:persons")).status_code == 200
    for username in ("xitong", "baomi", "shenji"):
        assert len(User.objects.get(username=username).role_pairs) == 1  # 三员: one system role, nothing else
    call_command("demo", "logins")


def test_protected_fields_hold_ciphertext_and_are_searchable(loaded):
    person = Person.objects.exclude(id_number_bidx="").exclude(phone_bidx="").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, bank_account FROM registry_person WHERE id = %s", [person.pk])
        raw_id, raw_phone, _ = cursor.fetchone()
    assert raw_id.startswith("v1:") and person.id_number not in raw_id
    assert raw_phone.startswith("v1:")
    assert Person.objects.get(**Person.lookup("id_number", person.id_number)) == person
    assert Person.objects.get(**Person.lookup("phone", person.phone)) == person
    assert person in Person.objects.filter(**Person.suffix_lookup("id_number", person.id_number[-6:]))


def test_demo_accounts_log_in_and_see_their_lists(loaded, client):
    clerk = User.objects.with_role(Role.CLERK, BusinessLine.ASSISTANCE).first()
    done = client.post("/login/", {"username": clerk.username, "password": loader.DEMO_PASSWORD})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.post("/login/", {"username": "xitong", "password": loader.DEMO_PASSWORD}).status_code == 302
    page = client.get(f"/system/users/?q={clerk.username}")  # the accounts fill more than one page
    assert page.status_code == 200 and clerk.username in page.content.decode()


def test_a_second_load_is_refused_and_changes_nothing(loaded):
    with pytest.raises(loader.DemoLoadError):
        loader.load(500, seed=3)
    assert Person.objects.count() == loaded.persons


def test_load_if_empty_serves_the_existing_city_and_says_so(loaded, capsys):
    call_command("demo", "load", "--if-empty", "--persons", "500", "--seed", "3")
    out = capsys.readouterr().out
    assert "演示数据库已存在，直接启动" in out and "make demo-reset" in out
    assert Person.objects.count() == loaded.persons


def test_load_if_empty_loads_an_empty_database(db, capsys):
    call_command("demo", "load", "--if-empty", "--persons", "200", "--seed", "3")
    assert "演示城市已载入" in capsys.readouterr().out
    assert Person.objects.count() == 200


def test_logins_command_lists_the_accounts(loaded, capsys):
    call_command("demo", "logins")
    out = capsys.readouterr().out
    assert loader.DEMO_PASSWORD in out and "xitong" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if not line.strip().startswith("……")}
    for county in Region.objects.filter(level=3, code__startswith="4117").values_list("code", flat=True):
        # every county's approver (the README's sp<county>) and its payroll pair, each with its duty and roles
        assert "审批人（社会救助）" in lines[f"{loader.APPROVER_PREFIX}{county[:6]}"]
        assert "发放经办" in lines[f"{loader.BUILDER_PREFIX}{county[:6]}"]
        assert "发放复核" in lines[f"{loader.CHECKER_PREFIX}{county[:6]}"]
        assert "审批人（养老服务）" in lines[f"{loader.ELDERLY_PREFIX}{county[:6]}"]
        assert "居家养老结算经办" in lines[f"{loader.HOMECARE_BUILDER_PREFIX}{county[:6]}"]
        assert "居家养老结算复核" in lines[f"{loader.HOMECARE_CHECKER_PREFIX}{county[:6]}"]
        assert "残联审核人（残疾人福利）" in lines[f"{loader.FEDERATION_PREFIX}{county[:6]}"]
        assert "审批人（残疾人福利）" in lines[f"{loader.DISABILITY_PREFIX}{county[:6]}"]
        assert "经办员（婚姻登记）" in lines[f"{loader.MARRIAGE_CLERK_PREFIX}{county[:6]}"]
        assert "审批人（婚姻登记）" in lines[f"{loader.MARRIAGE_HEAD_PREFIX}{county[:6]}"]
    clerk = User.objects.with_role(Role.CLERK, BusinessLine.ASSISTANCE).order_by("region_id", "username").first()
    assert "经办员（社会救助）、经办员（儿童福利）、经办员（残疾人福利）、经办员（养老服务）" in lines[clerk.username]


@pytest.mark.sqlite
def test_demo_load_on_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "HUIMIN_VAR_DIR": str(tmp_path)}
    huimin = [sys.executable, "-m", "huimin"]
    subprocess.run([*huimin, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*huimin, "demo", "load", "--persons", "500"], env=env, check=True, timeout=300, capture_output=True, text=True
    )
    assert "演示城市已载入" in done.stdout
    logins = subprocess.run([*huimin, "demo", "logins"], env=env, check=True, capture_output=True, text=True)
    assert "Huimin@2026" in logins.stdout


def test_demo_has_applications_at_every_stage_made_through_the_services(db):
    from huimin.assistance.models import Application, ApplicationEvent, Stage
    from huimin.core.models import AuditEntry

    result = loader.load(3000, seed=1)
    stages = set(Application.objects.values_list("stage", flat=True))
    assert {Stage.ACCEPT, Stage.VERIFY, Stage.VISIT, Stage.REVIEW, Stage.PUBLICITY, Stage.REFUSED} <= stages
    cases = Application.objects.filter(programme__business_line="assistance").exclude(reason=loader.HISTORY_NOTE)
    assert cases.count() == result.applications  # the 社会救助 cases (the other lines' demo applications aside)
    refused = Application.objects.filter(stage=Stage.REFUSED).first()
    assert refused.decision_reasons and refused.notifications.exists()  # a refusal carries written reasons
    # made by the township's own clerk, inside their scope, and audited like any real case
    application = Application.objects.filter(stage=Stage.PUBLICITY).select_related("created_by").first()
    assert application.region_id.startswith(application.created_by.region_id[:9])
    assert ApplicationEvent.objects.filter(application=application).count() >= 4
    assert AuditEntry.objects.filter(object_id=str(application.pk), action__startswith="assistance").exists()


def test_demo_departmental_data_is_ingested_and_checkable(db, settings, tmp_path):
    import datetime

    import pyarrow.parquet as pq

    from huimin.engine.sources import SOURCES
    from huimin.verification import services as verification
    from huimin.verification.models import Snapshot, Threshold

    settings.VAR_DIR = tmp_path / "var"
    result = loader.load(500, seed=3)
    assert result.departmental_rows > 0
    assert set(Snapshot.objects.values_list("source", flat=True)) == set(SOURCES)
    # the 核对收入标准 is 1 × the demo's 低保标准 (benefits), not a second copy of the figure
    assert list(
        Threshold.objects.filter(programme="dibao", rule="income_standard").values_list("value", flat=True)
    ) == [1]
    approver = User.objects.with_role(Role.APPROVER).filter(username__startswith="sp").order_by("username").first()
    run = verification.run_batch(approver, "dibao", datetime.date(2026, 10, 31), enrolled_only=True)
    assert run.status == "done" and run.households > 0
    lines = pq.read_table(run.results_path, columns=["is_urban", "t_income_standard"]).to_pylist()
    assert {(r["is_urban"], r["t_income_standard"]) for r in lines} <= {(True, 74000), (False, 56000)}


def test_every_countys_locked_months_are_paid_through_the_bank_file_and_its_return(loaded):
    from huimin.benefits.models import BankBatch, Payment, PayrollLine, PayrollMonth
    from huimin.benefits.portal import payments_for

    months = PayrollMonth.objects.filter(status=PayrollMonth.Status.LOCKED)
    approvers = User.objects.with_role(Role.APPROVER).filter(username__startswith=loader.APPROVER_PREFIX)
    assert months.count() == approvers.count() * loader.PAYROLL_MONTHS  # every county's months, not one county's
    positive = PayrollLine.objects.filter(amount__gt=0)
    assert positive.exists()
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == positive.count()
    assert not BankBatch.objects.filter(returned_at__isnull=True).exists()  # each file has the bank's answer
    payee = positive.select_related("payee").first().payee
    assert {row["status"] for row in payments_for(payee)} == {"已到账"}  # what the resident sees


def test_demo_has_older_people_with_confirmed_categories_and_assessments(loaded):
    from huimin.elderly.models import Assessment, CategoryMark

    assert CategoryMark.objects.filter(status="confirmed", source="derived").exists()
    assert CategoryMark.objects.filter(status="proposed").exists()
    assert CategoryMark.objects.filter(category__code="family_planning", source="township").exists()
    levels = set(Assessment.objects.values_list("level__code", flat=True))
    assert {"intact", "mild", "moderate", "severe", "complete"} <= levels


def test_the_first_county_has_its_place_names_signs_and_addresses(loaded, client):
    from huimin.places import rules
    from huimin.places.models import AddressLink, NameHistory, PlaceName, Proposal, Sign

    approver = User.objects.with_role(Role.APPROVER, BusinessLine.PLACES).order_by("region_id").first()
    county6 = approver.region_id[:6]
    places = PlaceName.objects.filter(county_code=county6)
    assert places.count() >= 20 and set(places.values_list("county_code", flat=True)) == {county6}
    assert {"road", "street", "community", "bridge", "natural_village"} <= set(places.values_list("kind", flat=True))
    assert all(rules.pinyin_matches(p.name, p.pinyin) for p in places)
    assert NameHistory.objects.filter(place__name="顺河路", name="河沿街").exists()
    assert Sign.objects.filter(condition="outdated", text="河沿街").exists() and Sign.objects.count() >= 30
    links = AddressLink.objects.select_related("household", "place")
    assert 0 < links.count() <= 24 and all(a.household.address == f"{a.place.name}{a.detail}" for a in links)
    assert Proposal.objects.filter(status="submitted", proposed_by__username=f"dm{county6}").count() == 1
    client.force_login(approver)
    pending = Proposal.objects.get(status="submitted")
    assert "符合现行命名规则" in client.get(reverse("places:proposal", args=[pending.pk])).content.decode()


def test_a_township_merge_on_the_demo_city_moves_every_record_of_every_app(loaded):
    from django.db.models import Sum

    from huimin.places import changes
    from huimin.stats.models import MonthlyFigure

    approver = User.objects.with_role(Role.APPROVER, BusinessLine.PLACES).order_by("region_id").first()
    old, into = Region.objects.filter(parent=approver.region, level=4).order_by("-code")[:2]
    keys = changes.region_foreign_keys()

    def under(prefix):
        codes = Region.objects.filter(code__startswith=prefix).values("code")
        return {f"{m._meta.label}.{a}": m._base_manager.filter(**{f"{a}__in": codes}).count() for m, a in keys}

    def figures(prefix):
        rows = MonthlyFigure.objects.filter(region__code__startswith=prefix)
        return rows.aggregate(p=Sum("persons"), h=Sum("households"), paid=Sum("amount_paid"))

    before_old, before_into = under(old.prefix), under(into.prefix)
    stats_old, stats_into = figures(old.prefix), figures(into.prefix)
    assert before_old["registry.Person.region_id"] > 0 and stats_old["p"]
    change = changes.merge_township(approver, old.code, into.code, "豫政区划〔2026〕1号", "2026-11-01")
    after_into = under(into.prefix)
    assert not any(under(old.prefix).values())
    assert after_into == {k: before_old[k] + before_into[k] for k in after_into}
    merged = figures(into.prefix)
    assert merged == {k: (stats_old[k] or 0) + (stats_into[k] or 0) for k in merged}
    assert sum(change.moved.values()) == sum(before_old.values())
