"""The menu of every page is rendered once per language and set of entries
(portal/context_processors.py): the same markup a `{% url %}` per entry gave, in each language,
for each role's entries, and a newly registered entry shows at once."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal import nav
from portal.context_processors import nav_html

pytestmark = pytest.mark.django_db

PER_ENTRY = Template('{% for item in nav_items %}\n        <li class="nav-item"><a class="nav-link text-nowrap" '
                     'href="{% url item.url_name %}" data-nav="{{ item.key }}"><i class="bi bi-{{ item.icon }}"></i> '
                     '{{ item.label }}</a></li>\n        {% endfor %}')


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("roles", [set(), {"secretary"}, {"office_clerk", "proposal_staff"}, {"department"}])
def test_the_menu_is_what_an_entry_by_entry_loop_gives(lang, roles):
    items = nav.items_for(roles)
    with translation.override(lang):
        assert nav_html(items) == PER_ENTRY.render(Context({"nav_items": items}))
        assert nav_html(items) == nav_html(items)


def test_each_language_has_its_menu(users, client):
    client.force_login(users.clerk)
    chinese = client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("home")).content.decode()
    assert 'data-nav="home"><i class="bi bi-house"></i> 首页</a>' in chinese
    assert 'data-nav="home"><i class="bi bi-house"></i> Home</a>' in english


def test_a_new_entry_shows_at_once(users, client):
    client.force_login(users.clerk)
    assert 'data-nav="zz-test"' not in client.get(reverse("home")).content.decode()
    nav.register(nav.NavItem("zz-test", "Test entry", "home", icon="star", order=999))
    try:
        assert 'data-nav="zz-test"' in client.get(reverse("home")).content.decode()
    finally:
        nav.unregister("zz-test")
    assert 'data-nav="zz-test"' not in client.get(reverse("home")).content.decode()
