"""Re-encrypt protected columns under the current key, batch by batch.

Each batch commits on its own, old keys keep decrypting meanwhile, and rows already under the current key are
skipped: rotation can run beside the live system, be interrupted, and be run again.
"""

from collections import Counter

from django.apps import apps
from django.db import connection, transaction

from huimin.core import crypto
from huimin.core.fields import protected_fields


def _protected_columns():
    for model in apps.get_models():
        for field in protected_fields(model):
            yield model, field


def status() -> dict[str, Counter]:
    result = {}
    qn = connection.ops.quote_name
    for model, field in _protected_columns():
        counts: Counter = Counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)}")  # noqa: S608
            for (token,) in cursor.fetchall():
                counts[crypto.key_id_of(token) if token else ""] += 1
        result[f"{model._meta.label}.{field.name}"] = counts
    return result


def rotate(batch_size: int = 2000, progress=None) -> int:
    ring = crypto.key_ring()
    current_prefix_like = f"{crypto.TOKEN_VERSION}:_:{ring.current_id}:%"
    qn = connection.ops.quote_name
    total = 0
    for model, field in _protected_columns():
        table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
        last_pk = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"{column} <> '' AND {column} NOT LIKE %s"
                params: list = [current_prefix_like]
                if last_pk is not None:
                    where += f" AND {pk} > %s"
                    params.append(last_pk)
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
                    [*params, batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = [(crypto.encrypt(crypto.decrypt(token, ring), ring), row_pk) for row_pk, token in rows]
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)  # noqa: S608
            total += len(rows)
            last_pk = rows[-1][0]
            if progress:
                progress(f"{model._meta.label}.{field.name}: 已重新加密 {total}")
    return total
