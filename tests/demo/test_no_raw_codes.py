"""Every code shown to a person is its Chinese label: the pages a clerk, an approver and a payroll officer open on
a demo city (the approval calculator, the 核对 pages, the payroll month and its export) show no programme code,
standard kind, period, enrolment status or care-grade code in their visible text."""

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from huimin.assistance.models import Application, Enrolment, Programme, Stage
from huimin.benefits.models import PayrollMonth, Period, StandardKind
from huimin.core.models import User
from huimin.demo import loader
from huimin.verification import services as verification
from huimin.verification.models import Authorisation
from tests.clock import at


class _Visible(HTMLParser):
    """The text a person sees: element text outside <script> and <style> (attribute values are not shown)."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes() -> re.Pattern:
    codes = set(Programme.objects.values_list("code", flat=True)) | set(StandardKind.values) | set(Period.values)
    codes |= set(Enrolment.Status.values) | {"half", "full", "eligible", "not_eligible", "needs_visit", "duckdb"}
    words = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_/.\-])({words})(?![A-Za-z0-9_])")


def assert_no_codes(where: str, text: str, pattern: re.Pattern) -> None:
    found = sorted({m.group(1) for m in pattern.finditer(text)})
    snippets = [text[max(0, m.start() - 30) : m.end() + 30] for m in pattern.finditer(text)][:3]
    assert not found, f"{where} shows raw codes {found}: {snippets}"


@pytest.fixture
def city(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    with at(2026, 11, 20):
        loader.load(300, seed=7)
        yield


def test_the_pages_of_a_demo_day_show_labels_not_codes(city, client):
    pattern = raw_codes()
    enrolled = Enrolment.objects.filter(programme__kind="tekun").order_by("id").first()
    county = enrolled.region_id[:6]
    approver = User.objects.get(username=f"sp{county}")  # the county's 审批人
    pages = []
    with at(2026, 11, 20):
        # the approval form with its calculation, and an enrolment with its basis
        app = Application.objects.filter(stage=Stage.PUBLICITY, region__code__startswith=county).first()
        if app is not None:
            Application.objects.filter(pk=app.pk).update(publicity_end=datetime.date(2026, 11, 1))
            pages.append(reverse("assistance:application_detail", args=[app.pk]))
        pages += [
            reverse("assistance:enrolment_detail", args=[enrolled.pk]),
            reverse("assistance:enrolments"),
            reverse("benefits:calculator") + f"?kind=tekun&region={approver.region_id}&grade=half",
            reverse("benefits:calculator") + f"?kind=dibao&region={approver.region_id}&income=100&members=2",
        ]
        payroll = PayrollMonth.objects.filter(region_id=approver.region_id).order_by("-month").first()
        payroll_officer = User.objects.get(username="ff" + approver.username[2:])  # 发放经办 of the county
        payroll_pages = [reverse("benefits:payroll_detail", args=[payroll.pk]), reverse("stats:funds")]
        # a 核对 of a household of the county, its report and the 核对 lists
        household = enrolled.household
        for person in verification.living_members(household):
            Authorisation.objects.create(
                household=household, person=person, signed_on=datetime.date(2026, 1, 1),
                scan=ContentFile(b"%PDF", name="s.pdf"),
            )  # fmt: skip
        report = verification.check_household(approver, household, "dibao", datetime.date(2026, 11, 20))
        pages += [
            reverse("verification:household", args=[household.pk]),
            reverse("verification:report", args=[report.pk]),
            reverse("verification:reports"),
            reverse("verification:thresholds"),
        ]
        for user, urls in ((approver, pages), (payroll_officer, payroll_pages)):
            client.force_login(user)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                assert_no_codes(url, visible_text(response.content.decode()), pattern)
        # the payroll export a reviewer checks
        book = load_workbook(
            io.BytesIO(client.get(reverse("benefits:payroll_lines_export", args=[payroll.pk])).content)
        )
        cells = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
        assert_no_codes("发放明细导出", cells, pattern)
