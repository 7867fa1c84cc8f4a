"""`{% fixed %}…{% endfixed %}`: a piece of a template that prints the same for every request in
the same language — text, `{% trans "literal" %}`, `{% url 'name' 'literal args' %}`,
`{% static 'path' %}` — rendered once per process and language and then printed as a string.

The shell (templates/base.html) and the list pages' headers are mostly such pieces: ~30 tags per
page, each resolving a translation, reversing a URL or asking the static storage for a name on
every request. Inside `{% fixed %}` the template may hold nothing that reads the context: the tag
refuses, when the template is compiled, any variable, any other tag, filters, `as` variables —
so what it keeps can depend only on what its key holds:

- the active language, the URL prefix (SCRIPT_NAME), the URL configuration (per request or
  the setting) and the request's current URL namespace, the context's autoescape / localisation switches;
- a generation bumped by any setting change (`override_settings` of STATIC_URL, STORAGES,
  ROOT_URLCONF, LANGUAGES… in tests); translations and URL patterns otherwise change only with a
  new process.

The output is byte for byte what the same nodes print without the tag."""

from __future__ import annotations

import itertools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import FilterExpression, TextNode, Variable, render_value_in_context
from django.template.defaulttags import CommentNode, LoadNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

_generation = itertools.count()
_current = [next(_generation)]


def _bump(**_kwargs):
    _current[0] = next(_generation)


setting_changed.connect(_bump, dispatch_uid="portal.templatetags.portal_fixed")


def _constant(fe) -> bool:
    """A filter expression that resolves to the same value in any context (a quoted literal)."""
    if fe is None:
        return True
    if not isinstance(fe, FilterExpression) or fe.filters:
        return False
    return not isinstance(fe.var, Variable) or fe.var.literal is not None


def _check(node) -> None:
    ok = False
    if isinstance(node, (TextNode, CommentNode, LoadNode)):
        ok = True
    elif isinstance(node, TranslateNode):
        ok = node.asvar is None and _constant(node.filter_expression) and _constant(node.message_context)
    elif isinstance(node, URLNode):
        ok = (node.asvar is None and _constant(node.view_name) and all(_constant(a) for a in node.args)
              and all(_constant(v) for v in node.kwargs.values()))
    elif isinstance(node, StaticNode):
        ok = node.varname is None and _constant(node.path)
    if not ok:
        raise template.TemplateSyntaxError(
            f"{{% fixed %}} may hold only text and literal trans/url/static tags, not {node!r}")


def _current_app(context):
    """The namespace `{% url %}` reverses in (django.template.defaulttags.URLNode.render)."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def fixed_key(context) -> tuple:
    """What output made only of literal trans/url/static tags can depend on (see the module's doc)."""
    return (translation.get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF,
            _current_app(context), context.autoescape, context.use_l10n, context.use_tz, _current[0])


class FixedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context):
        key = fixed_key(context)
        html = self.rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.rendered) > 64:  # languages × prefixes × settings generations: never many
                self.rendered.clear()
            self.rendered[key] = html
        return mark_safe(html)


@register.tag
def fixed(parser, token):
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        _check(node)
    return FixedNode(nodelist)


class SelectOptionsNode(template.Node):
    def __init__(self, sequence, selected, value_attr=None, label_attr=None):
        self.sequence, self.selected = sequence, selected
        self.value_attr, self.label_attr = value_attr, label_attr

    def render(self, context):
        items = self.sequence.resolve(context, ignore_failures=True)  # as {% for %} reads its sequence
        if items is None:
            return ""
        selected = self.selected.resolve(context, ignore_failures=True)  # as {% if a == b %} reads a
        value_attr, label_attr = self.value_attr, self.label_attr
        parts = []
        for item in items:
            if value_attr is None:
                value, label = item
            else:
                value, label = _lookup(item, value_attr), _lookup(item, label_attr)
            try:
                chosen = selected == value
            except Exception:  # {% if %} treats a failing comparison as false
                chosen = False
            parts.append(f'<option value="{render_value_in_context(value, context)}"'
                         f'{" selected" if chosen else ""}>{render_value_in_context(label, context)}</option>')
        return "".join(parts)


def _lookup(item, attr):
    """`{{ item.attr }}` for the rows a select lists: a dict's key, else the attribute."""
    if isinstance(item, dict):
        return item[attr]
    value = getattr(item, attr)
    return value() if callable(value) else value


@register.tag
def select_options(parser, token):
    """`{% select_options choices selected %}` prints what
    `{% for v, l in choices %}<option value="{{ v }}"{% if selected == v %} selected{% endif %}>{{ l }}</option>{% endfor %}`
    prints (the same escaping, localisation and failure rules), without a template loop;
    `{% select_options items selected "pk" "name" %}` takes each option's value and label from the
    items' attributes (`{{ u.pk }}` / `{{ u.name }}`)."""
    bits = token.split_contents()[1:]
    if len(bits) not in (2, 4):
        raise template.TemplateSyntaxError("{% select_options choices selected [value_attr label_attr] %}")
    attrs = [parser.compile_filter(b) for b in bits[2:]]
    if not all(_constant(a) and isinstance(a.var, str) and a.var for a in attrs):
        raise template.TemplateSyntaxError("select_options: the attribute names must be quoted strings")
    attrs = [str(a.var) for a in attrs]
    return SelectOptionsNode(parser.compile_filter(bits[0]), parser.compile_filter(bits[1]), *attrs)
