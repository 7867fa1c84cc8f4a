"""Helpers the proposals' services share (dates, locks, input checks, the similar-text words)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError

from .. import similar
from ..models import Proposal


def _today() -> datetime.date:
    return timezone.localdate()


def _locked(model, pk):
    """Lock one row (no joins, so only that row)."""
    return model.objects.select_for_update().get(pk=pk)


def _clean_suggestions(suggestions) -> list[str]:
    if isinstance(suggestions, str):
        suggestions = suggestions.splitlines()
    cleaned = [str(s).strip() for s in (suggestions or []) if str(s).strip()]
    if not cleaned:
        raise DomainError(_("Give at least one suggestion."), field="suggestions")
    if len(cleaned) > 30:
        raise DomainError(_("Give at most 30 suggestions."), field="suggestions")
    return [s[:2000] for s in cleaned]


def _create_indexed(model, **fields):
    """``model.objects.create(**fields)`` with the record's words for "similar earlier proposals /
    items" found before the INSERT: one write of the new record (and of its summary marks)
    instead of an INSERT and an UPDATE of ``similarity_terms``."""
    record = model(**fields)
    refresh = similar.proposal_terms_refresh if model is Proposal else similar.opinion_terms_refresh
    refresh(record)
    record.save(force_insert=True)
    return record


def _check_choice(value, choices, field):
    if value not in choices.values:
        raise DomainError(_("Choose a valid option."), field=field)
