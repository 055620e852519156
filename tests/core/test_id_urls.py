"""Every ``{% url %}`` with a row's id gives exactly Django's address (the builtin that keeps the address around the
id, huimin.core.templatetags.id_urls), whatever the view, the id or the script prefix; anything else is Django's."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix


def _views_taking_one_id(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _views_taking_one_id(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and len(entry.pattern.converters) == 1:
            yield namespace + entry.name


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_address_of_every_view_taking_one_id_is_djangos():
    names = sorted(set(_views_taking_one_id()))
    assert "registry:person" in names and "assistance:application_detail" in names
    compared = 0
    for name in names:
        for pk in (0, 7, 123456789):
            try:
                expected = reverse(name, args=[pk])
            except NoReverseMatch:
                continue  # a view whose argument is not an integer: Django's tag, compared below
            assert _render("{% url name pk %}", name=name, pk=pk) == expected, name
            compared += 1
    assert compared > 100


def test_a_script_prefix_is_kept():
    set_script_prefix("/huimin/")
    try:
        assert _render("{% url 'registry:person' 5 %}") == "/huimin/registry/persons/5/"
    finally:
        set_script_prefix("/")
    assert _render("{% url 'registry:person' 5 %}") == "/registry/persons/5/"


def test_other_forms_are_djangos_own():
    assert _render("{% url 'registry:person' 5 as link %}[{{ link }}]") == "[/registry/persons/5/]"
    assert _render("{% url 'registry:person' pk=5 %}") == "/registry/persons/5/"
    assert _render("{% url 'registry:persons' %}") == "/registry/persons/"
    assert _render("{% url 'registry:person' '5' %}") == "/registry/persons/5/"  # a string: reversed
    with pytest.raises(NoReverseMatch):
        _render("{% url 'registry:person' -1 %}")  # not an id the address can take
    with pytest.raises(NoReverseMatch):
        _render("{% url 'registry:person' 'x' %}")
