"""How a page calls a service, in one place: the refusal becomes a form error or a message, the
success a message — never a 500 and never a copied `try/except DomainError` block.

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

from .errors import DomainError


def add_form_error(form, exc: DomainError, *, field_map: Callable[[str | None], tuple[Any, str | None]] | None = None):
    """Put a service's refusal on `form`: on the field it names when the form has it, else on the
    form as a whole. `field_map(field)` may return another (form, field) — e.g. a formset row."""
    target, name = form, exc.field
    if field_map is not None and name:
        target, name = field_map(name)
    target.add_error(name if name in target.fields else None, str(exc.message))


def form_action(request, form, call: Callable[[], Any], *, success=None, field_map=None) -> tuple[bool, Any]:
    """Run `call()` (a service). Refused: its message goes on the form, `(False, None)`.
    Done: the `success` message (if any) is added, `(True, result)`."""
    try:
        result = call()
    except DomainError as exc:
        add_form_error(form, exc, field_map=field_map)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def button_action(request, call: Callable[[], Any], *, success=None) -> tuple[bool, Any]:
    """Run `call()` (a service) for a button without a form: the refusal or the `success`
    message is shown on the next page. Returns `(done, result)`."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return False, None
    if success:
        messages.success(request, success)
    return True, result
