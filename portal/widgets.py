"""Widgets rendered in Python: Django renders a <select> through one template per option (about
0.05 ms each), so a filter form listing a county's 180 units cost more than the rest of the page.
`FastSelect` writes the same markup (whitespace aside) with one f-string per option; option
groups fall back to Django's rendering."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def _text(value) -> str:
    """Django's conditional_escape without its lazy-argument wrapper (this runs per option)."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        values = set(self.format_value(value))
        parts = [f'<select name="{_text(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        selected_once = False
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group: Django's own rendering
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            chosen = not selected_once and option_value in values
            selected_once |= chosen
            parts.append(f'<option value="{_text(option_value)}"{" selected" if chosen else ""}>{_text(label)}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))
