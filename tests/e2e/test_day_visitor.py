"""探访关爱 on a 360 × 740 phone: a 民政协理员 records two visits with the network cut (Playwright offline mode);
they wait in the browser (IndexedDB) and, once the network returns, arrive once each; the township's overdue list
no longer shows the two older people. axe-core audits every page on the way (the e2e conftest)."""

import datetime

import pytest
from playwright.sync_api import expect

from huimin.core.models import ReceivedSubmission
from huimin.core.roles import BusinessLine, Role
from huimin.elderly.models import Category, CategoryMark, Visit, VisitAssignment, Visitor
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, SMALL_PHONE, log_in_as
from tests.elderly.conftest import make_person


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visitor_records_two_visits_offline(open_page, users, make_user):
    line = BusinessLine.ELDERLY
    assistant = make_user("visit_assistant", Role.ASSISTANT, VILLAGE_A1, line=line)
    clerk = make_user("visit_clerk", Role.CLERK, TOWN_A, line=line)
    visitor = Visitor.objects.create(name="王协理", kind="assistant", township_id=TOWN_A, user=assistant)
    visitor.villages.set([VILLAGE_A1])
    people = []
    for name in ("张", "李"):
        p = make_person(VILLAGE_A1, datetime.date(1944, 3, 3), name=name)
        CategoryMark.objects.create(person=p, category=Category.objects.get(code="living_alone"), status="confirmed",
                                    source="township", source_date=datetime.date(2026, 1, 1))  # fmt: skip
        VisitAssignment.objects.create(person=p, visitor=visitor, since=datetime.date(2026, 9, 1))
        people.append(p)
    with at(2026, 11, 20):
        with open_page(DESKTOP) as page:
            log_in_as(page, clerk.username)
            page.goto("/elderly/visits/overdue/")
            listed = page.get_by_test_id("overdue-list").inner_text()
            assert all(p.name in listed for p in people)
        with open_page(SMALL_PHONE) as page:
            log_in_as(page, assistant.username)
            page.goto("/elderly/visits/round/")
            page.get_by_test_id("visit-form").wait_for()
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.context.set_offline(True)
            for p in people:
                page.get_by_label("老年人").select_option(str(p.pk))
                page.get_by_label("发现的需求").fill("需要上门助浴" if p is people[0] else "")
                page.get_by_test_id("visit-submit").click()
            expect(page.locator("[data-offline-count]")).to_have_text("2")
            assert "当前离线" in page.get_by_test_id("offline-status").inner_text()
            assert Visit.objects.count() == 0
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the page scrolls sideways ({width}px)"
            page.context.set_offline(False)
            expect(page.locator("[data-offline-count]")).to_have_text("0", timeout=30_000)
        assert sorted(Visit.objects.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
        assert ReceivedSubmission.objects.filter(kind="elderly.visit").count() == 2
        assert all(v.offline for v in Visit.objects.all())
        with open_page(DESKTOP) as page:
            log_in_as(page, clerk.username)
            page.goto("/elderly/visits/overdue/")
            listed = page.get_by_test_id("overdue-list").inner_text()
            assert not any(p.name in listed for p in people)
