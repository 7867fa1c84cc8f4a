"""Pages of the member and workroom codes. The resident's form (`/hall/to/<code>/`) is public and
rate-limited like the hall's other public forms; the inbox, the printable code and the QR image
need a login and are scoped (404 outside)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from members.models import Member, Workroom
from members.selectors import members_in_scope
from portal.actions import add_form_error, button_action
from portal.errors import DomainError
from portal.handoffs import available

from .. import abuse
from ..models import CodeMessage
from . import selectors, services
from .forms import CodeMessageForm, HandleForm

# --- Public: the resident's form ----------------------------------------------------------------


def _unavailable(request, exc):
    return render(request, "hall/codes/unavailable.html", {"message": exc.message}, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def write(request, slug):
    try:
        code = services.code_lookup(slug)
    except services.CodeUnavailable as exc:
        return _unavailable(request, exc)
    context = {"code": code}
    if request.method == "POST":
        form = CodeMessageForm(request.POST)
        try:
            abuse.check_rate(request, "submit")
        except abuse.RateLimited as exc:
            form.refuse(exc.message).fresh_challenge()
            return render(request, "hall/codes/write.html", {**context, "form": form}, status=429)
        try:
            if form.is_valid():
                data = form.cleaned_data
                message = services.message_create(code=code, title=data["title"], body=data["body"],
                                                   contact_name=data["contact_name"],
                                                   contact_phone=data["contact_phone"], submitter=request.user)
                return redirect("hall:code_sent", code=message.tracking_code)
        except services.CodeUnavailable as exc:
            return _unavailable(request, exc)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        form.fresh_challenge()
        return render(request, "hall/codes/write.html", {**context, "form": form}, status=400)
    return render(request, "hall/codes/write.html", {**context, "form": CodeMessageForm()})


@never_cache
@require_GET
def sent(request, code):
    message = selectors.message_by_code(code)
    if message is None:
        raise Http404
    return render(request, "hall/codes/sent.html", {"m": message})


def track_detail(request, message: CodeMessage):
    """The resident's tracking page of a scanned-code message (called by hall's track page)."""
    return render(request, "hall/codes/track.html", {"m": message})


# --- Inbox (members, workrooms, secretaries) -------------------------------------------------------


@login_required
@never_cache
@require_GET
def inbox(request):
    status = request.GET.get("status", "open")
    if status not in selectors.STATUS_FILTERS:
        status = "open"
    mine = request.GET.get("mine") == "1"
    page = Paginator(selectors.inbox(user=request.user, status=status, mine_only=mine), 30).get_page(
        request.GET.get("page"))
    return render(request, "hall/codes/inbox.html", {"page": page, "status": status, "mine": mine})


def _actions_for(user, message) -> list[str]:
    actions = ["answer"]
    if services.can_make_topic(user, message):
        actions.append("topic")
    if available("opinion"):
        actions.append("opinion")
    return actions


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def message_detail(request, pk):
    message = selectors.message_for(user=request.user, pk=pk)
    actions = _actions_for(request.user, message)
    form = HandleForm(request.POST or None, actions=actions,
                      initial={"title": message.title, "description": message.body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "topic":
                services.message_to_topic(actor=request.user, message=message, title=data["title"],
                                          description=data["description"], reply=data["reply"])
                messages.success(request, _("The message is now a consultation topic; the resident sees your reply."))
            elif data["action"] == "opinion":
                services.message_to_opinion(actor=request.user, message=message, title=data["title"],
                                            content=data["description"], reply=data["reply"])
                messages.success(request, _("The message is now a public-opinion item; the resident sees your reply."))
            else:
                services.message_answer(actor=request.user, message=message, reply=data["reply"])
                messages.success(request, _("The resident will see your reply."))
            return redirect("hall:code_message", pk=message.pk)
        except DomainError as exc:
            add_form_error(form, exc)
    from portal.audit import timeline_for

    return render(request, "hall/codes/message.html", {
        "m": message, "form": form if message.is_open else None,
        "timeline": timeline_for(message)[:20]}, status=400 if form.errors else 200)


# --- The codes: printable page and QR image ----------------------------------------------------------


def _member(request, pk) -> Member:
    try:
        member = members_in_scope(user=request.user).select_related("org_unit", "sector").get(pk=int(pk))
    except (Member.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404
    if not services.can_show_member_code(request.user, member):
        raise PermissionDenied  # a member the user may see; their code is the office's (or their own)
    return member


def _workroom(request, pk) -> Workroom:
    try:
        workroom = Workroom.objects.select_related("org_unit", "lead_member").get(pk=int(pk))
    except (Workroom.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404
    if not services.can_show_workroom_code(request.user, workroom):
        raise Http404
    return workroom


def _target(request, kind, pk) -> dict:
    if kind == "member":
        return {"member": _member(request, pk)}
    if kind == "workroom":
        return {"workroom": _workroom(request, pk)}
    raise Http404


def _code_url(request, code) -> str:
    return request.build_absolute_uri(reverse("hall:code_write", args=[code.slug]))


def _svg(url: str, scale: int = 6) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


@login_required
@never_cache
@require_GET
def code_qr(request, kind, pk):
    """The code as SVG (shown in the member's or workroom's page)."""
    code = services.code_for(actor=request.user, **_target(request, kind, pk))
    response = HttpResponse(_svg(_code_url(request, code)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def code_print(request, kind, pk):
    """A print-friendly page: name, unit and the code, for a plaque, a door or a business card."""
    target = _target(request, kind, pk)
    if request.method == "POST":
        button_action(request, lambda: services.code_renew(actor=request.user, **target),
                      success=_("A new code was made; the old one no longer works."))
        return redirect("hall:code_print", kind=kind, pk=pk)
    code = services.code_for(actor=request.user, **target)
    from django.utils.safestring import mark_safe

    url = _code_url(request, code)
    return render(request, "hall/codes/print.html", {
        **target, "kind": kind, "code": code, "url": url,
        # segno writes the SVG itself from the URL alone (no user text inside): safe to inline.
        "svg": mark_safe(_svg(url, scale=8)),  # noqa: S308
        "counts": selectors.counts(**target, year=timezone.localdate().year),
    })

