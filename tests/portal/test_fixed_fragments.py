"""`{% fixed %}` (portal/templatetags/portal_fixed.py): pieces of the shell and the list pages made
only of text and literal trans/url/static tags are rendered once per language (and URL prefix,
URL configuration, settings) — the same bytes the tags print, in each language; anything that
reads the context is refused when the template is compiled. `{% select_options %}` prints what
the option loop it replaces printed. The proposals' tabs are rendered once per set of tabs."""

import pytest
from django.template import Context, Engine, RequestContext, TemplateSyntaxError
from django.test import RequestFactory, override_settings
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation
from django.utils.translation import gettext_lazy

ENGINE = Engine(libraries={"portal_fixed": "portal.templatetags.portal_fixed"},
                builtins=["django.templatetags.i18n", "django.templatetags.static"])

BODY = ('<a href="{% url \'home\' %}" title="{% trans \'Menu\' %}">{% trans "Log out" %}</a>'
        '{% translate "Name" context "person" %}<link href="{% static \'portal/portal.css\' %}">'
        '{% url \'members:detail\' 7 %}{% comment %}x{% endcomment %} · {% trans "有事好商量" %}')


def _render(body, context=None, autoescape=True):
    return ENGINE.from_string("{% load portal_fixed %}" + body).render(Context(context or {}, autoescape=autoescape))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_a_fixed_piece_prints_what_its_tags_print(lang, autoescape):
    template = ENGINE.from_string("{% load portal_fixed %}{% fixed %}" + BODY + "{% endfixed %}")
    with translation.override(lang):
        plain = _render(BODY, autoescape=autoescape)
        assert template.render(Context(autoescape=autoescape)) == plain
        assert template.render(Context(autoescape=autoescape)) == plain  # from what it kept
    assert ("退出" in plain) == (lang == "zh-hans")


def test_each_language_gets_its_own_text_from_one_template():
    template = ENGINE.from_string('{% load portal_fixed %}{% fixed %}{% trans "Log out" %}{% endfixed %}')
    with translation.override("zh-hans"):
        chinese = template.render(Context())
    with translation.override("en"):
        english = template.render(Context())
    with translation.override("zh-hans"):
        assert template.render(Context()) == chinese
    assert english == "Log out" and chinese != english


def test_a_setting_change_and_a_url_prefix_show_at_once():
    template = ENGINE.from_string("{% load portal_fixed %}{% fixed %}{% static 'a.css' %} {% url 'home' %}{% endfixed %}")
    before = template.render(Context())
    with override_settings(STATIC_URL="/elsewhere/"):
        assert template.render(Context()).startswith("/elsewhere/a.css ")
    assert template.render(Context()) == before
    set_script_prefix("/portal/")
    try:
        assert template.render(Context()).endswith(" /portal/")
    finally:
        clear_script_prefix()
    assert template.render(Context()) == before


def test_the_request_url_namespace_is_part_of_the_key():
    template = ENGINE.from_string("{% load portal_fixed %}{% fixed %}{% url 'home' %}{% endfixed %}")
    request = RequestFactory().get("/")
    request.current_app = "other"
    assert template.render(RequestContext(request)) == template.render(Context()) == "/"


@pytest.mark.parametrize("body", [
    "{{ user }}",
    "{% if x %}a{% endif %}",
    "{% url name %}",
    "{% url 'members:detail' pk %}",
    "{% url 'home' as there %}",
    "{% trans x %}",
    "{% trans 'Menu' as label %}",
    "{% trans 'Menu'|upper %}",
    "{% static path %}",
    "{% static 'a.css' as there %}",
    "{% csrf_token %}",
    "{% blocktrans %}a{% endblocktrans %}",
    "{% include 'x.html' %}",
    "{% fixed %}a{% endfixed %}",
])
def test_anything_that_reads_the_context_is_refused_when_compiled(body):
    with pytest.raises(TemplateSyntaxError):
        ENGINE.from_string("{% load portal_fixed %}{% fixed %}" + body + "{% endfixed %}")


LOOP = ('{% for v, l in choices %}<option value="{{ v }}"{% if selected == v %} selected{% endif %}>{{ l }}'
        '</option>{% endfor %}')
CHOICES = [("", gettext_lazy("All statuses")), ("submitted", gettext_lazy("Submitted")), ('a"<b>&\'', "x<y & 'z'"),
           (1000, 1000), (2.5, "two and a half")]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("context", [
    {}, {"selected": ""}, {"selected": "submitted"}, {"selected": 'a"<b>&\''}, {"selected": 1000},
    {"selected": None}, {"selected": ["submitted"]},
])
@pytest.mark.parametrize("autoescape", [True, False])
def test_select_options_prints_what_the_option_loop_printed(lang, context, autoescape):
    context = {"choices": CHOICES, **context}
    with translation.override(lang), override_settings(USE_THOUSAND_SEPARATOR=True):
        assert (_render("{% select_options choices selected %}", context, autoescape)
                == _render(LOOP, context, autoescape))


def test_select_options_reads_the_selection_as_the_if_tag_does():
    from django.http import QueryDict

    for query in ["", "status=submitted", "status=", "status=a&status=submitted", "other=1"]:
        context = {"choices": CHOICES, "data": QueryDict(query)}
        assert (_render("{% select_options choices data.status %}", context)
                == _render(LOOP.replace("selected == v", "data.status == v"), context))
    assert _render("{% select_options missing data.status %}", {}) == _render(
        LOOP.replace("choices", "missing"), {}) == ""


def test_select_options_from_attributes():
    class Unit:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

    units = [Unit(1, "第1县区"), Unit(22, "<b>&"), Unit(1234, "乡镇")]
    loop = '{% for u in units %}<option value="{{ u.pk }}"{% if u.pk == unit.pk %} selected{% endif %}>{{ u.name }}</option>{% endfor %}'
    for unit in [units[1], None, Unit(1234, "x")]:
        context = {"units": units, "unit": unit}
        with override_settings(USE_THOUSAND_SEPARATOR=True):
            assert _render('{% select_options units unit.pk "pk" "name" %}', context) == _render(loop, context)
    rows = [{"pk": 3, "name": "甲"}, {"pk": 4, "name": "乙"}]
    assert (_render('{% select_options units sel "pk" "name" %}', {"units": rows, "sel": 4})
            == '<option value="3">甲</option><option value="4" selected>乙</option>')
    with pytest.raises(TemplateSyntaxError):
        ENGINE.from_string('{% load portal_fixed %}{% select_options units sel pk name %}')
