"""Form widgets are rendered by Django's Jinja2 widget templates (settings.FORM_RENDERER): what a user typed comes
back escaped in the search box, the chosen filter stays selected, and a form's errors are shown."""

from huimin.registry.forms import PersonSearchForm


def test_a_search_keeps_what_was_typed_escaped_and_the_chosen_filter_selected(users, login):
    page = login(users["clerk_a"]).get("/registry/persons/", {"q": '"><script>alert(1)</script>', "status": "alive"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert '<option value="alive" selected>在世</option>' in html
    assert '<select name="status" class="form-select" aria-label="状态" id="id_status">' in html


def test_a_field_error_is_rendered_as_the_error_list(db):
    form = PersonSearchForm({"region": "4" * 13})  # longer than a region code
    assert not form.is_valid()
    errors = str(form["region"].errors)
    assert errors.startswith('<ul class="errorlist') and "12" in errors
