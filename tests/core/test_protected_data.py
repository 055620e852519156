import datetime

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from huimin.core import crypto, keyrotation
from huimin.core.masking import mask
from huimin.core.models import AuditEntry
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.conftest import VILLAGE_A1, VILLAGE_B1

ID_A = idnumbers.make("411702", datetime.date(1961, 3, 14), 451)
ID_B = idnumbers.make("411702", datetime.date(1990, 12, 1), 222)
PHONE = "13838381234"
BANK = "6228480018889990001"


@pytest.fixture
def people(regions):
    a = Person.objects.create(name="张三", id_number=ID_A, phone=PHONE, bank_account=BANK, region_id=VILLAGE_A1)
    b = Person.objects.create(name="李四", id_number=ID_B, region_id=VILLAGE_B1)
    return a, b


def _all_text_in_database() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_no_id_number_phone_or_account_is_stored_in_plain_text_in_any_column(people, users, login):
    login(users["clerk_a"]).post(f"/pii/registry.Person/{people[0].pk}/id_number/")  # a reveal writes audit too
    raw = _all_text_in_database()
    for secret in (ID_A, ID_B, PHONE, BANK, ID_A[6:14] + ID_A[14:]):
        assert secret not in raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM registry_person WHERE name = %s", ["张三"])
        (token,) = cursor.fetchone()
    assert token.startswith("v1:") and crypto.decrypt(token) == ID_A


def test_exact_search_uses_the_blind_index_and_plain_filters_are_refused(people):
    assert Person.objects.get(**Person.lookup("id_number", ID_A.lower())).name == "张三"
    assert Person.objects.get(**Person.lookup("phone", "138 3838 1234")).name == "张三"
    with pytest.raises(FieldError, match="盲索引"):
        Person.objects.filter(id_number=ID_A).exists()


def test_ciphertext_is_authenticated():
    token = crypto.encrypt("410102199001011234")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)


def test_masking_rules():
    assert mask("id_number", "410102199001011234") == "4101**********1234"
    assert mask("phone", "13838381234") == "138****1234"
    assert mask("bank_account", BANK) == "6228***********0001"
    assert mask("name", "张三") == "张*"
    assert mask("name", "张三丰") == "张*丰"


def test_reveal_needs_the_right_is_scoped_and_audited(people, users, login):
    a, b = people
    url = f"/pii/registry.Person/{a.pk}/id_number/"
    assert login(users["assistant_a"]).post(url).status_code == 403  # 协理员 may not unmask
    assert login(users["sysadmin"]).post(url).status_code == 403  # 三员 never read personal data
    assert login(users["clerk_b"]).post(url).status_code == 404  # another township: does not exist
    before = AuditEntry.objects.filter(action="pii.reveal").count()
    response = login(users["clerk_a"]).post(url)
    assert response.status_code == 200 and ID_A in response.content.decode()
    entry = AuditEntry.objects.filter(action="pii.reveal").latest("seq")
    assert AuditEntry.objects.filter(action="pii.reveal").count() == before + 1
    assert (entry.actor, entry.object_id, entry.region_code) == ("clerk_a", str(a.pk), VILLAGE_A1)


def test_keys_rotate_re_encrypts_under_the_new_key_and_can_be_rerun(people, settings):
    old_ring = settings.HUIMIN_FIELD_KEYS
    new_line = crypto.generate_key_line("k2")
    with override_settings(HUIMIN_FIELD_KEYS=f"{new_line},{old_ring}"):
        call_command("keys", "rotate", "--batch-size", "1")
        status = {label: dict(c) for label, c in keyrotation.status().items()}
        assert set(status["registry.Person.id_number"]) == {"k2"}
        assert Person.objects.get(name="张三").id_number == ID_A
        assert Person.objects.get(name="张三").bank_account == BANK
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_person WHERE id_number NOT LIKE 'v1:_:k2:%%'")
            assert cursor.fetchone()[0] == 0
        assert keyrotation.rotate() == 0  # nothing left to do: a rerun is harmless
    assert AuditEntry.objects.filter(action="core.keys.rotate").exists()
    # the blind index does not depend on the encryption key: search still works after rotation
    with override_settings(HUIMIN_FIELD_KEYS=f"{new_line},{old_ring}"):
        assert Person.objects.filter(**Person.lookup("id_number", ID_A)).exists()
