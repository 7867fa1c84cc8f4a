"""Optimistic concurrency: editable records carry a version; a stale save is refused."""

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .errors import StaleEdit, VersionMissing


class VersionedModel(models.Model):
    """Abstract base for records that several people edit. Forms and API payloads send back the
    `version` they loaded; services call `check_version` under a row lock before saving."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


def check_version(instance: VersionedModel, expected, *, required: bool = False) -> None:
    """Refuse the save when the record changed since the user loaded `expected`.

    Edits of a record's content pass `required=True` (or call `require_version`): without the
    version they were read at they are refused (`VersionMissing`, 400) instead of silently
    overwriting. Workflow steps may omit it: their guards already refuse a step taken twice."""
    if expected in (None, ""):
        if required:
            raise VersionMissing()
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise StaleEdit()
    if instance.version != expected:
        raise StaleEdit()


def bump_version(instance: VersionedModel, update_fields: list[str] | None = None) -> None:
    """Save the named fields and increment the version atomically."""
    instance.version = F("version") + 1
    if update_fields is not None:
        instance.save(update_fields=[*update_fields, "version"])
    else:
        instance.save()
    instance.refresh_from_db(fields=["version"])


def require_version(instance: VersionedModel, expected) -> None:
    """`check_version` for edits: a missing version is refused, never skipped."""
    check_version(instance, expected, required=True)
