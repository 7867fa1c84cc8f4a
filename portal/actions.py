"""How a page calls a service, in one place: the refusal policy for pages, the success message —
never a 500 and never a copied `try/except DomainError` block.

The refusal policy (docs/DEVELOPING.md), for pages:

* `NotAllowed` — the user may see the record but holds no role for the step — is a **403**: the
  portal's "not allowed" page with the service's message (`portal.views.error_403`), whether the
  step was a button or a form. Nothing was done.
* any other `DomainError` from a **button** (`button_action`, `refuse`) — a step the record's state
  or a guard refuses (`GuardFailed`, e.g. a second click), a stale version, a bad value — is shown as
  a message on the next page; the view redirects to the record, where the user sees its current
  state and why. (The API answers the same refusal with its status: 409 for a state refusal.)
* any other `DomainError` from a **form** (`form_action`, `add_form_error`) goes on the field it
  names (else on the form), and the view shows the form again — nothing typed is lost.

    ok, topic = form_action(request, form, lambda: services.topic_create(actor=request.user, **data),
                            success=_("The topic was recorded."))
    if ok:
        return redirect(topic)
    # … render the form again: it now carries the service's message on the field it names

    button_action(request, lambda: services.topic_submit(actor=request.user, topic=topic),
                  success=_("Submitted for approval."))
    return redirect(topic)

The API needs no such helper: its exception handler (portal.api.exceptions) answers a
`DomainError` with its status and message; `portal.api.actions` has the two lines every action
shares (validate the input, answer with the serializer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from .errors import DomainError, NotAllowed


def deny_if_not_allowed(exc: DomainError) -> None:
    """A missing role is a 403 on every page: raise `PermissionDenied` with the service's message
    (the "not allowed" page shows it). Any other refusal returns for the caller to show."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(str(exc.message)) from exc


def refuse(request, exc: DomainError) -> None:
    """A button's refusal: 403 for a missing role, else the message on the next page (the view
    then redirects to the record)."""
    deny_if_not_allowed(exc)
    messages.error(request, str(exc.message))


def add_form_error(form, exc: DomainError, *, field_map: Callable[[str | None], tuple[Any, str | None]] | None = None):
    """Put a service's refusal on `form`: on the field it names when the form has it, else on the
    form as a whole. `field_map(field)` may return another (form, field) — e.g. a formset row.
    A missing role (`NotAllowed`) is not a form error: it raises the 403."""
    deny_if_not_allowed(exc)
    target, name = form, exc.field
    if field_map is not None and name:
        target, name = field_map(name)
    target.add_error(name if name in target.fields else None, str(exc.message))


def form_action(request, form, call: Callable[[], Any], *, success=None, field_map=None) -> tuple[bool, Any]:
    """Run `call()` (a service). Refused: its message goes on the form, `(False, None)` (a missing
    role: the 403). Done: the `success` message (if any) is added, `(True, result)`."""
    try:
        result = call()
    except DomainError as exc:
        add_form_error(form, exc, field_map=field_map)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def button_action(request, call: Callable[[], Any], *, success=None) -> tuple[bool, Any]:
    """Run `call()` (a service) for a button without a form: the refusal (`refuse`: a missing role
    is the 403) or the `success` message is shown on the next page. Returns `(done, result)`."""
    try:
        result = call()
    except DomainError as exc:
        refuse(request, exc)
        return False, None
    if success:
        messages.success(request, success)
    return True, result
