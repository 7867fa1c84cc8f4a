"""portal.widgets.FastSelect writes the markup Django's template-rendered Select writes."""

import pytest
from django import forms
from django.test.html import parse_html

from portal.widgets import FastSelect

CHOICES = [("", "—"), ("a", "甲 & <b>"), ("b", "乙"), ("b", "乙 again"), (3, "three")]


@pytest.mark.parametrize("value", [None, "", "a", "b", 3, "nope"])
def test_same_markup_as_django(value):
    attrs = {"id": "id_x", "class": "form-select", "required": True, "aria-label": "单位"}
    ours = FastSelect(choices=CHOICES).render("x", value, attrs)
    django = forms.Select(choices=CHOICES).render("x", value, attrs)
    assert parse_html(ours) == parse_html(django)


def test_model_choices_and_groups(tree):
    from organizations.models import OrgUnit

    field = forms.ModelChoiceField(queryset=OrgUnit.objects.order_by("path"), widget=FastSelect, required=False)
    plain = forms.ModelChoiceField(queryset=OrgUnit.objects.order_by("path"), required=False)
    for value in (None, tree.county_a.pk):
        assert parse_html(field.widget.render("u", value)) == parse_html(plain.widget.render("u", value))
    grouped = [("g", [("1", "one")]), ("2", "two")]
    assert parse_html(FastSelect(choices=grouped).render("g", "1")) == parse_html(
        forms.Select(choices=grouped).render("g", "1"))
