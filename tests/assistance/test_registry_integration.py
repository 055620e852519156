"""Assistance as seen from the registry: the household page shows its panel, and a person merge carries the
merged-away person's cases over to the kept person."""

from huimin.assistance.models import Application
from huimin.registry import dedup
from huimin.registry.models import Person
from tests.assistance.conftest import apply


def test_merging_a_duplicate_carries_their_applications_over(make_household, users):
    household, people = make_household()
    application = apply(users, household, people)
    keep = Person.objects.create(name=people[0].name, region=people[0].region, birth_date=people[0].birth_date)
    dedup.merge(users["clerk_a"], keep, people[0])
    application.refresh_from_db()
    assert application.applicant_id == keep.pk
    assert not Application.objects.filter(applicant=people[0]).exists()


def test_household_page_loads_the_assistance_panel(make_household, users, login):
    household, people = make_household()
    application = apply(users, household, people)
    page = login(users["clerk_a"]).get(f"/registry/households/{household.pk}/").content.decode()
    assert "社会救助" in page and f"/assistance/households/{household.pk}/panel/" in page
    panel = login(users["clerk_a"]).get(f"/assistance/households/{household.pk}/panel/").content.decode()
    assert application.number in panel
    assert login(users["clerk_b"]).get(f"/assistance/households/{household.pk}/panel/").status_code == 404


def test_registry_lists_filter_by_programme(make_household, users, login):
    from huimin.assistance.models import Enrolment, Stage
    from tests.assistance.conftest import approve, end_publicity, walk

    enrolled, people = make_household(names=("赵一", "赵二"))
    other, _ = make_household(names=("钱三",))
    application = end_publicity(walk(users, apply(users, enrolled, people), Stage.PUBLICITY))
    approve(users["approver"], application)
    assert Enrolment.objects.filter(household=enrolled).exists()
    client = login(users["clerk_a"])
    households = client.get("/registry/households/?programme=assistance:dibao").content.decode()
    assert enrolled.number in households and other.number not in households
    persons = client.get("/registry/persons/?programme=assistance:dibao").content.decode()
    assert "赵一" in persons and "钱三" not in persons
    unfiltered = client.get("/registry/persons/").content.decode()
    assert "钱三" in unfiltered and "全部救助项目" in unfiltered  # the filter is offered on the page
