import pytest

from organizations.unit_sections import _SECTIONS, register_unit_section

pytestmark = pytest.mark.django_db


def test_apps_add_sections_to_the_unit_page(client, tree, users, tmp_path, settings):
    def section(request, unit):
        return {"template": "portal/_section_test.html", "unit_name": unit.name} if unit.kind == "township" else None

    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "_section_test.html").write_text("<p id='sec'>SECTION {{ section.unit_name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    register_unit_section(section)
    try:
        client.force_login(users.clerk)
        assert "SECTION 三堤口街道" in client.get(f"/org/{tree.township_a1.pk}/").content.decode()
        assert "SECTION" not in client.get(f"/org/{tree.county_a.pk}/").content.decode()
    finally:
        _SECTIONS.remove(section)
