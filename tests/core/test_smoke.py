from huimin.core.models import Region


def test_national_regions_are_loaded_by_migrate(db):
    zmd = Region.objects.get(code="411700000000")
    assert zmd.name == "驻马店市"
    assert {r.name for r in zmd.children.all()} >= {"驿城区", "西平县", "新蔡县"}
    assert Region.objects.filter(level=3).count() > 2800


def test_every_model_change_has_its_migration(db):
    """A model edited without its migration would deploy a schema the code does not expect."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:
        raise AssertionError("models changed without a migration:\n" + out.getvalue()) from exit_
