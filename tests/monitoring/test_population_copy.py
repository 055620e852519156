"""The whole registry read for 主动发现 (monitoring.population._registered): on PostgreSQL it is read with
``COPY … TO STDOUT`` into Arrow; the result must be the very table the row-by-row path (SQLite, the demo) builds."""

from huimin.monitoring import population
from huimin.registry.models import Household, Person


def test_copy_reads_the_same_table_as_the_row_by_row_path(city):
    # a household made inactive, a member deceased (the household is smaller), a person without a household
    household = Household.objects.filter(is_active=True).order_by("id").first()
    Household.objects.filter(pk=household.pk).update(is_active=False)
    dead = Person.objects.filter(household__isnull=False, is_deceased=False).order_by("-id").first()
    Person.objects.filter(pk=dead.pk).update(is_deceased=True)
    Person.objects.filter(pk=Person.objects.filter(household__isnull=False).order_by("id")[5].pk).update(household=None)
    assert Person.objects.filter(disability_grade__isnull=False).exists()
    assert Person.objects.filter(disability_grade__isnull=True).exists()
    taken = set(Person.objects.order_by("id").values_list("id", flat=True)[:200:3])

    people, sizes = population._registry_queries()
    copied = population._registered_copied(people, sizes, taken)
    iterated = population._registered_iterated(people, sizes, taken)
    assert copied.num_rows > 2000
    assert copied.schema == population.SCHEMA
    assert copied.to_pylist() == iterated.to_pylist()
    assert not set(copied["person_id"].to_pylist()) & taken
    assert population._registered(taken).to_pylist() == iterated.to_pylist()  # the PostgreSQL path is taken
