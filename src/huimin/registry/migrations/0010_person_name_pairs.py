"""The name-pair table for the person list's name search on PostgreSQL (``registry.PersonNameGram``).

The GIN index of migration 0009 finds a common name's matches in milliseconds, but the list then visits each
match's row to sort and count them (16,000 persons share 许兰 in a province of 10,000,000): ~100 ms. This table
holds one row per pair of adjacent characters of each unmerged person's name with the list's sort key (region,
name, person) as its primary key, so a page is the next 30 keys of one pair and the capped count 1,001 keys,
whatever the name. Triggers on registry_person keep it: a new or deleted person, a changed name or residence,
a merge. SQLite (the demo) leaves the table empty."""

from django.db import migrations, models

CREATE = """
CREATE FUNCTION huimin_name_pairs(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT coalesce(array_agg(DISTINCT substr(name, i, 2)), '{}')
        FROM generate_series(1, char_length(name) - 1) AS i
    $$;

CREATE FUNCTION registry_person_name_pairs_sync() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM registry_personnamegram
             WHERE gram = ANY (huimin_name_pairs(OLD.name)) AND region_id = OLD.region_id
               AND name = OLD.name AND person_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.merged_into_id IS NULL THEN
            INSERT INTO registry_personnamegram (gram, region_id, name, person_id)
            SELECT pair, NEW.region_id, NEW.name, NEW.id FROM unnest(huimin_name_pairs(NEW.name)) AS pair;
        END IF;
        RETURN NULL;
    END
    $$;

CREATE TRIGGER registry_person_name_pairs_added_or_removed
    AFTER INSERT OR DELETE ON registry_person
    FOR EACH ROW EXECUTE FUNCTION registry_person_name_pairs_sync();

CREATE TRIGGER registry_person_name_pairs_changed
    AFTER UPDATE ON registry_person
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.region_id IS DISTINCT FROM NEW.region_id
          OR (OLD.merged_into_id IS NULL) IS DISTINCT FROM (NEW.merged_into_id IS NULL))
    EXECUTE FUNCTION registry_person_name_pairs_sync();

INSERT INTO registry_personnamegram (gram, region_id, name, person_id)
SELECT pair, region_id, name, id
  FROM registry_person, unnest(huimin_name_pairs(name)) AS pair
 WHERE merged_into_id IS NULL;
"""
DROP = """
DROP TRIGGER IF EXISTS registry_person_name_pairs_changed ON registry_person;
DROP TRIGGER IF EXISTS registry_person_name_pairs_added_or_removed ON registry_person;
DROP FUNCTION IF EXISTS registry_person_name_pairs_sync();
DROP FUNCTION IF EXISTS huimin_name_pairs(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_person_name_grams")]

    operations = [
        migrations.CreateModel(
            name="PersonNameGram",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "gram",
                        "region",
                        "name",
                        "person",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("gram", models.CharField(max_length=2, verbose_name="字对")),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.region",
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="姓名")),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
            ],
            options={"verbose_name": "姓名字对索引", "verbose_name_plural": "姓名字对索引"},
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
