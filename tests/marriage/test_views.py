"""婚姻登记 pages: the resident books in the portal, the officer registers at the window, the e-certificate's PDF
carries the public verification link, which shows validity and no person; a refusal is printable."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from huimin.marriage.models import Appointment, Record
from huimin.portal.services import Identity
from tests.clock import at
from tests.marriage.conftest import man, woman

D = datetime.date
pytestmark = pytest.mark.django_db


def _resident(client, name, id_number):
    session = client.session
    session["portal_identity"] = Identity(name=name, id_number=id_number, phone="13800000000").as_session()
    session.save()


@at(2026, 5, 11)
def test_book_register_and_verify(client, office, clerk):
    groom, bride = man(D(1995, 3, 1), 41, "赵强"), woman(D(1996, 4, 2), 42, "钱丽")
    _resident(client, groom.name, groom.id_number)
    page = client.get(reverse("portal:marriage"))
    assert page.status_code == 200 and "驿城区婚姻登记处" in page.content.decode()
    response = client.post(
        reverse("portal:marriage"),
        {"office": office.pk, "kind": "marriage", "day": "2026-05-12", "partner_name": bride.name},
    )
    appointment = Appointment.objects.get()
    assert response.url == reverse("portal:marriage_appointment", args=[appointment.number])
    confirmation = client.get(response.url).content.decode()
    assert appointment.number in confirmation and "data:image/svg+xml;base64," in confirmation
    # another resident cannot see or cancel it
    _resident(client, "孙", man(D(1990, 1, 1), 43).id_number)
    assert client.get(response.url).status_code == 404
    client.post(reverse("portal:marriage_cancel", args=[appointment.number]))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED

    with at(2026, 5, 12):
        client.force_login(clerk)
        url = reverse("marriage:register", args=[office.pk]) + f"?appointment={appointment.pk}"
        data = {
            "male_name": groom.name,
            "male_id_number": groom.id_number,
            "female_name": bride.name,
            "female_id_number": bride.id_number,
            "no_kinship": "on",
            "action": "register",
        }
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[-3000:]
        record = Record.objects.get()
        assert response.url == reverse("marriage:record", args=[record.pk])
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.SERVED
        pdf = client.get(reverse("marriage:certificate", args=[record.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert record.number in text and "结 婚 证" in text
    link = re.search(r"/marriage/verify/[\w-]+/", text.replace("\n", ""))
    assert link and link.group(0) == reverse("marriage:verify", args=[record.verify_token])
    client.logout()
    public = client.get(link.group(0)).content.decode()
    assert "该证照真实有效" in public and record.number in public
    assert groom.name not in public and bride.name not in public and groom.id_number[-4:] not in public
    assert client.get(reverse("marriage:verify", args=["nope"])).status_code == 404


@at(2026, 5, 11)
def test_a_21_year_old_groom_is_refused_in_writing(client, office, clerk):
    client.force_login(clerk)
    groom, bride = man(D(2004, 12, 1), 45, "周小"), woman(D(2000, 1, 1), 46)
    data = {
        "male_name": groom.name,
        "male_id_number": groom.id_number,
        "female_name": bride.name,
        "female_id_number": bride.id_number,
        "no_kinship": "on",
    }
    url = reverse("marriage:register", args=[office.pk])
    page = client.post(url, {**data, "action": "register"})
    assert page.status_code == 400 and "未达法定婚龄" in page.content.decode() and not Record.objects.exists()
    response = client.post(url, {**data, "action": "refuse"})
    printed = client.get(response.url + "?format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.content)).pages)
    assert "不 予 办 理 婚 姻 登 记 告 知 书" in text and "第一千零四十七条" in text.replace("\n", "")


@at(2026, 5, 11)
def test_search_by_id_number_name_and_number_stays_in_the_county(client, office, other_office, clerk, other_clerk):
    from huimin.marriage import services

    groom = man(D(1990, 1, 1), 47)
    services.do_digitise(
        other_clerk,
        other_office,
        kind="marriage",
        number="X1",
        registered_on=D(2001, 1, 1),
        status="valid",
        male=groom,
        female=woman(D(1990, 1, 1), 48),
    )
    mine = services.do_digitise(
        clerk,
        office,
        kind="marriage",
        number="Y1",
        registered_on=D(2001, 1, 1),
        status="dissolved",
        male=groom,
        female=woman(D(1990, 1, 1), 50),
    )
    assert list(services.search(clerk, groom.id_number)) == [mine]
    assert list(services.search(clerk, "Y1")) == [mine] and list(services.search(clerk, "X1")) == []
    client.force_login(clerk)
    assert "Y1" in client.get(reverse("marriage:records"), {"q": groom.id_number}).content.decode()
    assert client.get(reverse("marriage:stats")).status_code == 200
    assert client.get(reverse("marriage:index")).status_code == 200
    assert client.get(reverse("marriage:office", args=[office.pk])).status_code == 200
    assert client.get(reverse("marriage:office", args=[other_office.pk])).status_code == 404


@at(2026, 5, 11)
def test_digitising_a_paper_record_with_its_scan_covers_the_check(client, office, clerk, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huimin.marriage import services

    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk)
    groom, bride = man(D(1970, 1, 1), 51), woman(D(1972, 1, 1), 52)
    data = {"kind": "marriage", "number": "（1995）驿结字第0001号", "registered_on": "1995-10-01", "status": "valid",
            "male_name": groom.name, "male_id_number": groom.id_number, "female_name": bride.name,
            "female_id_number": bride.id_number}  # fmt: skip
    bad = client.post(reverse("marriage:digitise", args=[office.pk]),
                      {**data, "scan": SimpleUploadedFile("x.exe", b"MZ")})  # fmt: skip
    assert bad.status_code == 400 and not Record.objects.exists()
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    client.post(reverse("marriage:digitise", args=[office.pk]), {**data, "scan": scan})
    record = Record.objects.get()
    assert record.source == Record.Source.ARCHIVE and record.scan.name.endswith(".pdf")
    assert services.subsisting_offices(groom.id_number) == ["驿城区婚姻登记处"]


def test_the_daily_command(office, clerk):
    from django.core.management import call_command

    with at(2026, 5, 11):
        from huimin.marriage import services

        services.book(office, "marriage", D(2026, 5, 11), "甲", man(D(1990, 1, 1), 53).id_number)
    out = io.StringIO()
    call_command("daily", "--date", "2026-05-12", "--only", "marriage.daily", stdout=out)
    assert "预约未到 1 个" in out.getvalue()
