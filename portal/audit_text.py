"""The audit trail as sentences people can read.

An audit event stores `before`/`after` as JSON: field names, choice codes, ids and ISO timestamps.
The timeline must never show those. Each key is described by an `AuditKey` (its label and what kind
of value it holds); by default the key is looked up on the target model's fields, so a new model
field is covered by its `verbose_name`, choices and type without anyone registering it. Apps
register only what the metadata cannot say (in AppConfig.ready()):

    register_audit_model(Topic, labels={"approved_by": _("approved by")},
                         keys={"suggestion": ref(Suggestion, _("suggestion"))}, hidden={"source_ref"})

`describe_events(events)` resolves every person, unit and record the events mention with one query
per referenced model (not per event), and returns entries with one sentence per change.
`audit_label_problems()` lists keys without a human label; a test keeps it empty."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REF, REFS, CHOICE, BOOL, DATE, MONTH, DATETIME, TEXT, PLAIN, NUMBER, FILE, HIDDEN = (
    "ref", "refs", "choice", "bool", "date", "month", "datetime", "text", "plain", "number", "file", "hidden")

# Internal bookkeeping that never goes on a timeline, whatever the model.
ALWAYS_HIDDEN = {"id", "org_path", "path", "source_ref", "version", "fingerprint", "source_type", "source_id",
                 "depth", "unit_path", "similarity_terms"}  # similarity_terms: portal.similarity's words
# Labels for the bookkeeping fields many models share without a verbose_name of their own.
COMMON_LABELS = {
    "created_at": gettext_lazy("created at"),
    "created_by": gettext_lazy("created by"),
    "updated_at": gettext_lazy("updated at"),
    "uploaded_at": gettext_lazy("uploaded at"),
    "uploaded_by": gettext_lazy("uploaded by"),
    "is_active": gettext_lazy("in use"),
    "user": gettext_lazy("user"),
    "topic": gettext_lazy("topic"),
    "member": gettext_lazy("member"),
    "proposal": gettext_lazy("proposal"),
    "unit": gettext_lazy("unit"),
    "round": gettext_lazy("evaluation round"),
    "approved_by": gettext_lazy("approved by"),
    "reviewed_by": gettext_lazy("reviewed by"),
    "reviewed_at": gettext_lazy("reviewed at"),
    "entered_by": gettext_lazy("entered by"),
    "recorded_by": gettext_lazy("recorded by"),
    "screened_by": gettext_lazy("screened by"),
    "submitter": gettext_lazy("submitter"),
    "finished_at": gettext_lazy("finished at"),
    "started_at": gettext_lazy("started at"),
    "claimed_at": gettext_lazy("claimed at"),
}
# A plain string longer than this reads as a text ("修改了说明" with a diff), not a value.
LONG_TEXT = 60


@dataclass(frozen=True)
class AuditKey:
    label: object  # a (lazy) translated string, or None when nothing says what the key is
    kind: str = PLAIN
    model: type | None = None  # for REF / REFS
    choices: tuple = ()


def ref(model, label) -> AuditKey:
    """The value is the primary key of a `model` row (shown by name)."""
    return AuditKey(label, REF, model=model)


def refs(model, label) -> AuditKey:
    """The value is a list of primary keys of `model` rows (shown as names, joined)."""
    return AuditKey(label, REFS, model=model)


def text(label) -> AuditKey:
    return AuditKey(label, TEXT)


def plain(label) -> AuditKey:
    return AuditKey(label, PLAIN)


def number(label) -> AuditKey:
    return AuditKey(label, NUMBER)


def date(label) -> AuditKey:
    return AuditKey(label, DATE)


def month(label) -> AuditKey:
    """A date that stands for its month (stored as the 1st): shown as "2027年1月"."""
    return AuditKey(label, MONTH)


def flag(label) -> AuditKey:
    return AuditKey(label, BOOL)


def choice(label, choices) -> AuditKey:
    return AuditKey(label, CHOICE, choices=tuple(choices))


def hidden() -> AuditKey:
    return AuditKey(None, HIDDEN)


def field_of(model, name: str, label=None) -> AuditKey:
    """Borrow another model's field (e.g. a suggestion's `route` logged on its topic)."""
    return key_for_field(model._meta.get_field(name), label)


def _explicit_label(f) -> object | None:
    """The field's verbose_name unless Django made it up from the attribute name."""
    vn = getattr(f, "verbose_name", None)
    if vn is None or str(vn) == f.name.replace("_", " "):
        return None
    return vn


def key_for_field(f, label=None) -> AuditKey:
    label = label or _explicit_label(f)
    if f.many_to_many:
        return AuditKey(label, REFS, model=f.related_model)
    if f.is_relation:
        return AuditKey(label, REF, model=f.related_model)
    if getattr(f, "choices", None):
        return AuditKey(label, CHOICE, choices=tuple(f.flatchoices))
    if isinstance(f, models.BooleanField):
        return AuditKey(label, BOOL)
    if isinstance(f, models.DateTimeField):
        return AuditKey(label, DATETIME)
    if isinstance(f, models.DateField):
        return AuditKey(label, DATE)
    if isinstance(f, models.TextField):
        return AuditKey(label, TEXT)
    if isinstance(f, models.FileField):
        return AuditKey(label, FILE)
    if isinstance(f, models.IntegerField | models.DecimalField | models.FloatField):
        return AuditKey(label, NUMBER)
    return AuditKey(label, PLAIN)


@dataclass
class _Registration:
    keys: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    hidden: set = field(default_factory=set)
    fallback: object = None  # callable(name) -> AuditKey | None, for keys named at run time


_MODELS: dict[type, _Registration] = {}
# How a referenced row is named: model → (select_related, callable). Default: str(obj).
_DISPLAY: dict[type, tuple[tuple, object]] = {}


def register_audit_model(model, *, keys: dict | None = None, labels: dict | None = None,
                         hidden: set | frozenset | tuple = (), fallback=None) -> None:
    """`keys`: audit keys that are not fields of `model` (or mean something else there);
    `labels`: labels for fields whose verbose_name Django made up; `hidden`: internal fields."""
    reg = _MODELS.setdefault(model, _Registration())
    reg.keys.update(keys or {})
    reg.labels.update(labels or {})
    reg.hidden.update(hidden)
    if fallback is not None:
        reg.fallback = fallback


def register_audit_display(model, display, *, select_related: tuple = ()) -> None:
    """Name `model` rows on the timeline with `display(obj)` (select_related keeps it one query)."""
    _DISPLAY[model] = (tuple(select_related), display)


def registered_models() -> list[type]:
    return list(_MODELS)


def key_for(model, name: str) -> AuditKey | None:
    reg = _MODELS.get(model) or _Registration()
    if name in reg.keys:
        return reg.keys[name]
    if name in reg.hidden or name in ALWAYS_HIDDEN:
        return AuditKey(None, HIDDEN)
    try:
        f = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a key the service made up
        return reg.fallback(name) if reg.fallback else None
    return key_for_field(f, reg.labels.get(name) or (None if _explicit_label(f) else COMMON_LABELS.get(name)))


def audit_label_problems() -> list[str]:
    """Every registered model's fields and extra keys that have no human label."""
    problems = []
    for model, reg in _MODELS.items():
        for f in model._meta.get_fields():
            if f.auto_created or not (f.concrete or f.many_to_many):
                continue
            key = key_for(model, f.name)
            if key.kind != HIDDEN and key.label is None:
                problems.append(f"{model._meta.label}.{f.name}")
        for name, key in reg.keys.items():
            if key.kind != HIDDEN and key.label is None:
                problems.append(f"{model._meta.label}.{name} (registered key)")
    return problems


# ---- rendering -----------------------------------------------------------------------------

@dataclass
class Change:
    label: str
    sentence: str
    diff: list | None = None  # [(op, text)] for long texts; op in "equal", "insert", "delete"
    full_text: str = ""


@dataclass
class Entry:
    event: object
    actor: str
    action: str
    changes: list

    @property
    def summary(self) -> str:
        """Everything in one line, e.g. for exports and tests."""
        parts = [c.sentence for c in self.changes]
        return "；".join(parts) if parts else ""


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _as_pk(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _parse_datetime(value):
    if isinstance(value, datetime.datetime):
        return value
    try:
        dt = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, datetime.UTC)
    return timezone.localtime(dt)


def _format_date(value) -> str:
    s = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", s):
        return formats.date_format(datetime.date.fromisoformat(s + "-01"), "YEAR_MONTH_FORMAT")
    try:
        d = datetime.date.fromisoformat(s[:10])
    except ValueError:
        return s
    return formats.date_format(d, "DATE_FORMAT")


class _Names:
    """Names of referenced rows, fetched with one query per model."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.names: dict[tuple, str] = {}

    def want(self, model, value):
        values = value if isinstance(value, list) else [value]
        for v in values:
            pk = _as_pk(v)
            if pk is not None:
                self.wanted.setdefault(model, set()).add(pk)

    def fetch(self):
        for model, pks in self.wanted.items():
            select, display = _DISPLAY.get(model, ((), None))
            qs = model._default_manager.filter(pk__in=pks)
            if select:
                qs = qs.select_related(*select)
            for obj in qs:
                name = display(obj) if display else (getattr(obj, "label", None) or str(obj))
                self.names[(model, obj.pk)] = str(name)

    def name(self, model, value) -> str:
        pk = _as_pk(value)
        if pk is None:
            return str(value)
        return self.names.get((model, pk)) or _("(deleted record)")


def _format(key: AuditKey, value, names: _Names) -> str:
    if value == "***":
        return _("(hidden)")
    if key.kind == BOOL:
        return _("yes") if value else _("no")
    if key.kind == CHOICE:
        labels = dict(key.choices)
        return str(labels.get(value, value))
    if key.kind == REF:
        return names.name(key.model, value)
    if key.kind == REFS:
        items = value if isinstance(value, list) else [value]
        return "、".join(names.name(key.model, v) for v in items)
    if key.kind == DATETIME:
        dt = _parse_datetime(value)
        return formats.date_format(dt, "DATETIME_FORMAT") if dt else _format_date(value)
    if key.kind == DATE:
        return _format_date(value)
    if key.kind == MONTH:
        return _format_date(str(value)[:7])
    if key.kind == FILE:
        return str(value).rsplit("/", 1)[-1]
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _is_text(key: AuditKey, *values) -> bool:
    if key.kind == TEXT:
        return True
    return key.kind == PLAIN and any(isinstance(v, str) and (len(v) > LONG_TEXT or "\n" in v) for v in values)


def _diff(old: str, new: str) -> list:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            out.append(("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            out.append(("insert", new[j1:j2]))
        if op == "equal":
            out.append(("equal", old[i1:i2]))
    return out


def _label(key: AuditKey, name: str) -> str:
    # A missing label is a bug the label test reports; the reader still gets a word, not a code.
    return str(key.label) if key.label is not None else _("another detail")


def _changes(model, before: dict, after: dict, names: _Names) -> list[Change]:
    out = []
    keys = list(after) + [k for k in before if k not in after]
    for name in keys:
        key = key_for(model, name) if model else None
        key = key or AuditKey(None, PLAIN)
        if key.kind == HIDDEN:
            continue
        label = _label(key, name)
        has_old = name in before
        old, new = before.get(name), after.get(name)
        if has_old and old == new:
            continue
        if _is_text(key, old, new):
            old_s, new_s = str(old or ""), str(new or "")
            if has_old and old_s:
                out.append(Change(label, _("changed %(label)s") % {"label": label}, diff=_diff(old_s, new_s)))
            elif new_s:
                out.append(Change(label, _("wrote %(label)s") % {"label": label}, full_text=new_s))
            elif has_old and old_s:
                out.append(Change(label, _("cleared %(label)s") % {"label": label}))
            continue
        if name not in after:  # a record that was removed (before only)
            if not _empty(old):
                out.append(Change(label, _("removed %(label)s “%(old)s”") % {
                    "label": label, "old": _format(key, old, names)}))
            continue
        if _empty(new):
            if has_old and not _empty(old):
                out.append(Change(label, _("cleared %(label)s") % {"label": label}))
            continue
        if key.kind == BOOL and not new and not has_old:
            continue  # a new record's "no" flags are its defaults, not news
        if has_old and not _empty(old):
            out.append(Change(label, _("changed %(label)s from “%(old)s” to “%(new)s”") % {
                "label": label, "old": _format(key, old, names), "new": _format(key, new, names)}))
        else:
            out.append(Change(label, _("%(label)s: “%(new)s”") % {"label": label, "new": _format(key, new, names)}))
    return out


def describe_events(events) -> list[Entry]:
    """Timeline entries for `events` (an iterable of AuditEvent with `actor` selected)."""
    events = list(events)
    names = _Names()
    models_of = {}
    for ev in events:
        model = ContentType.objects.get_for_id(ev.target_type_id).model_class()
        models_of[ev.pk] = model
        if model is None:
            continue
        for data in (ev.before, ev.after):
            if not isinstance(data, dict):
                continue
            for name, value in data.items():
                key = key_for(model, name)
                if key and key.kind in (REF, REFS) and not _empty(value):
                    names.want(key.model, value)
    names.fetch()

    from .audit import action_label

    entries = []
    for ev in events:
        before = ev.before if isinstance(ev.before, dict) else {}
        after = ev.after if isinstance(ev.after, dict) else {}
        actor = ev.actor.label if ev.actor_id and ev.actor else _("system")
        entries.append(Entry(ev, actor, str(action_label(ev.action)),
                             _changes(models_of.get(ev.pk), before, after, names)))
    return entries

