"""A name index for searching by part of a Chinese name on PostgreSQL.

``registry.search`` finds persons whose name contains what was typed (王伟 finds 王伟 and 王伟强, 秀英 finds
张秀英). ``LIKE '%王伟%'`` reads the whole table, and pg_trgm does not help either: Chinese names are two or three
characters, too short for trigrams. The index holds every character and every pair of adjacent characters of
a name (王秀英 → 王, 秀, 英, 王秀, 秀英); a search looks up the pairs of the query (or its one character) and
rechecks the candidates with LIKE. Measured at 10,000,000 persons in bench/scenarios/registry.py.
SQLite (the demo) keeps the plain LIKE."""

from django.db import migrations

CREATE = """
CREATE FUNCTION huimin_name_grams(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT coalesce(array_agg(DISTINCT substr(name, i, n)), '{}')
        FROM generate_series(1, 2) AS n, generate_series(1, char_length(name) - n + 1) AS i
    $$;
CREATE INDEX registry_person_name_grams ON registry_person USING gin (huimin_name_grams(name));
"""
DROP = """
DROP INDEX IF EXISTS registry_person_name_grams;
DROP FUNCTION IF EXISTS huimin_name_grams(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_adopted_child_relations")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
