"""残疾人证号 begins with the holder's ID number: it becomes a protected field (ciphertext + blind index), and every
number stored in clear is encrypted in place."""

from django.db import migrations

import huimin.core.fields
from huimin.core import crypto

KIND = "disability_cert_no"
BATCH = 2000


def _rows(cursor, where: str):
    sql = f"SELECT id, disability_cert_no FROM registry_person WHERE {where} ORDER BY id"  # noqa: S608
    cursor.execute(sql, ["v1:%"])
    while rows := cursor.fetchmany(BATCH):
        yield rows


def encrypt_in_place(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as read, connection.cursor() as write:
        for rows in list(_rows(read, "disability_cert_no <> '' AND disability_cert_no NOT LIKE %s")):
            write.executemany(
                "UPDATE registry_person SET disability_cert_no = %s, disability_cert_no_bidx = %s WHERE id = %s",
                [
                    (crypto.encrypt(crypto.normalize(KIND, plain)), crypto.blind_index(KIND, plain), pk)
                    for pk, plain in rows
                ],
            )


def decrypt_in_place(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as read, connection.cursor() as write:
        for rows in list(_rows(read, "disability_cert_no LIKE %s")):
            write.executemany(
                "UPDATE registry_person SET disability_cert_no = %s, disability_cert_no_bidx = '' WHERE id = %s",
                [(crypto.decrypt(token)[:30], pk) for pk, token in rows],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_bank_account_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="disability_cert_no_bidx",
            field=huimin.core.fields.BlindIndexField(),
        ),
        migrations.AlterField(
            model_name="person",
            name="disability_cert_no",
            field=huimin.core.fields.ProtectedField(
                blank=True, blind_index=True, default="", kind="disability_cert_no", verbose_name="残疾人证号"
            ),
        ),
        migrations.RunPython(encrypt_in_place, decrypt_in_place, elidable=False),
    ]
