"""Pages of the consultation loop. Thin: parse with a form, call a service, render or redirect.
Domain errors become form errors or messages, never a 500."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Member
from organizations import permissions
from organizations.models import Role, UnitKind
from portal.audit import timeline_for
from portal.errors import DomainError, NotAllowed
from portal.pagination import more_page
from portal.workflow import allowed_actions

from . import forms, progress, rules, selectors, services
from .models import Attachment, FollowUp, Participant, Session, SessionStatus, Topic, TopicStatus


def _topic_or_404(request, pk) -> Topic:
    return permissions.get_in_scope_or_404(Topic.objects.select_related("org_unit"), request.user, pk=pk)


def _session_or_404(request, pk) -> Session:
    return permissions.get_in_scope_or_404(Session.objects.select_related("topic", "org_unit"), request.user, pk=pk)


def _form_error(form, exc: DomainError):
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _members_for(topic: Topic):
    """Members who may take part: of the topic's CPPCC tree or posted into its subtree."""
    return (Member.objects.filter(is_active=True)
            .filter(services.models_q_member_near(topic, topic.org_unit.ancestor_ids)).distinct()
            .order_by("name"))


def _handling_units(topic: Topic):
    return selectors.handling_units_for(topic)


# ------------------------------------------------------------------------------------- lists

@login_required
def topic_list(request):
    """The secretary's queue: their units' topics, filterable, paginated; htmx swaps the table."""
    f = forms.TopicFilterForm(request.GET or None)
    data = f.cleaned_data if f.is_valid() else {}
    qs = selectors.topic_list(user=request.user, status=data.get("status", ""), channel=data.get("channel", ""),
                              q=data.get("q", ""), overdue=bool(data.get("overdue")))
    page = more_page(qs, request.GET.get("page"))  # "next" without counting the whole scope
    page.object_list = selectors.with_open_suggestions(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "filter": f, "query": query.urlencode(),
           "can_create": permissions.has_role(request.user, rules.MANAGERS)}
    template = "consultations/_topic_table.html" if request.htmx else "consultations/topic_list.html"
    return render(request, template, ctx)


@login_required
def approvals(request):
    page = Paginator(selectors.approval_queue(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "consultations/approvals.html", {"page": page})


@login_required
def session_list(request):
    upcoming = request.GET.get("when", "upcoming")
    qs = selectors.sessions_list(user=request.user, upcoming={"upcoming": True, "held": False}.get(upcoming))
    page = more_page(qs, request.GET.get("page"))
    page.object_list = selectors.with_participant_counts(page.object_list)
    return render(request, "consultations/session_list.html", {"page": page, "when": upcoming})


@login_required
def my_sessions(request):
    """A member's invitations (phone-friendly)."""
    invitations = list(selectors.invitations_for_member(user=request.user)[:100])
    today = timezone.localdate()
    upcoming = [p for p in invitations if p.session.status == SessionStatus.PLANNED and p.session.scheduled_on >= today]
    past = [p for p in invitations if p not in upcoming]
    return render(request, "consultations/my_sessions.html", {"upcoming": upcoming, "past": past,
                                                              "leave_form": forms.LeaveForm()})


@login_required
@require_POST
def invitation_respond(request, pk):
    participant = selectors.invitation_for_member(user=request.user, pk=pk)
    attending = request.POST.get("attending") == "1"
    form = forms.LeaveForm(request.POST)
    reason = request.POST.get("reason", "")[:200]
    try:
        services.participant_respond(actor=request.user, participant=participant, attending=attending, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you, your answer was recorded."))
    del form
    return redirect("consultations:my_sessions")


@login_required
def handling(request):
    """A department's inbox: suggestions routed to its unit."""
    page = more_page(selectors.suggestions_for_department(user=request.user), request.GET.get("page"))
    return render(request, "consultations/handling.html", {"page": page, "today": timezone.localdate()})


@login_required
def plan(request):
    """The annual plan and quota view for a unit (default: the user's first unit)."""
    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    units = permissions.units_visible_to(request.user).filter(is_active=True)
    unit = None
    if request.GET.get("unit"):
        unit = units.filter(pk=_int(request.GET.get("unit"), 0, 0, 2**63 - 1)).first()
        if unit is None:
            raise Http404
    if unit is None:
        unit = permissions.home_units(request.user).first() or units.order_by("path").first()
    if unit is None:
        return render(request, "consultations/plan.html", {"unit": None, "year": year})
    data = selectors.plan_for(user=request.user, unit=unit, year=year)
    return render(request, "consultations/plan.html", {
        "unit": unit, "year": year, "months": data["months"].items(), "quota_rows":
            selectors.quota_table(user=request.user, parent=unit, year=year),
        "years": [year - 1, year, year + 1],
    })


def _int(value, default, lo, hi):
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


# ----------------------------------------------------------------------------- record page

@login_required
def topic_detail(request, pk):
    topic = selectors.topic_for_page(user=request.user, pk=pk)
    outcome = selectors.outcome_of(topic)
    nxt = progress.next_step(topic, request.user, outcome=outcome)
    acts = nxt["actions"]
    today = timezone.localdate()
    ctx = {
        "topic": topic, "outcome": outcome, "next": nxt, "steps": progress.steps(topic), "today": today,
        "timeline": timeline_for(topic)[:50],
        "sessions": list(topic.sessions.all()),
        "suggestions": list(topic.suggestions.all()),
        "attachments": list(topic.attachments.all()),
        "can_manage": rules.can_manage(request.user, topic.org_path),
    }
    if acts.get("reject"):
        ctx["reject_form"] = forms.ReasonForm(auto_id="reject_%s")
        ctx["approve_form"] = forms.ApproveForm(auto_id="approve_%s", initial={"publish": True, "planned_month": topic.planned_month})
    if acts.get("research"):
        ctx["research_form"] = forms.ResearchForm(members=_members_for(topic), initial={"done_on": today},
                                                 auto_id="research_%s")
    if acts.get("waive"):
        ctx["waive_form"] = forms.ReasonForm(auto_id="waive_%s")
    if acts.get("session"):
        ctx["session_form"] = forms.SessionPlanForm(initial={"form": "council"}, auto_id="session_%s")
    if acts.get("outcome"):
        ctx["outcome_form"] = forms.OutcomeForm(auto_id="outcome_%s")
    if acts.get("suggestion"):
        ctx["suggestion_form"] = forms.SuggestionForm(units=_handling_units(topic), auto_id="suggestion_%s")
    if acts.get("instruction"):
        ctx["instruction_form"] = forms.InstructionForm(initial={"given_on": today}, auto_id="instruction_%s")
    if acts.get("evaluate"):
        ctx["evaluation_form"] = forms.EvaluationForm(auto_id="evaluation_%s")
    if acts.get("attach"):
        ctx["attachment_form"] = forms.AttachmentForm(initial={"stage": _stage_for(topic)}, auto_id="attachment_%s")
    return render(request, "consultations/topic_detail.html", ctx)


def _stage_for(topic):
    return {TopicStatus.APPROVED: "research", TopicStatus.RESEARCHED: "research", TopicStatus.SCHEDULED: "session",
            TopicStatus.CONSULTED: "outcome", TopicStatus.HANDLING: "handling",
            TopicStatus.CLOSED: "followup"}.get(topic.status, "topic")


def _step_page(request, topic, form, title, *, template="consultations/step_form.html", extra=None):
    """Render a step's form on its own page (used when the inline form had errors, so what the
    user typed is kept)."""
    ctx = {"topic": topic, "form": form, "title": title, **(extra or {})}
    return render(request, template, ctx, status=200 if request.method == "GET" else 400)


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request):
    units = permissions.units_visible_to(request.user, roles=rules.MANAGERS).filter(is_active=True).exclude(
        kind=UnitKind.DEPARTMENT).order_by("path")
    if not permissions.has_role(request.user, rules.MANAGERS):
        raise Http404
    form = forms.TopicCreateForm(request.POST or None, units=units,
                                 initial={"org_unit": permissions.home_units(request.user).first()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            topic = services.topic_create(actor=request.user, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The topic was recorded. Next: submit it for approval."))
            return redirect(topic)
    return render(request, "consultations/step_form.html", {"form": form, "title": _("Record a topic"),
                                                            "multipart": False},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk):
    topic = _topic_or_404(request, pk)
    if not rules.can_manage(request.user, topic.org_path):
        raise Http404
    if request.method == "POST":
        form = forms.TopicForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.topic_update(actor=request.user, topic=topic, version=version, **data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(topic)
    else:
        form = forms.TopicForm(initial={f: getattr(topic, f) for f in services.EDITABLE_TOPIC_FIELDS} |
                               {"version": topic.version})
    return _step_page(request, topic, form, _("Edit topic"))


def _simple_action(request, pk, func, success, **kwargs):
    topic = _topic_or_404(request, pk)
    try:
        func(actor=request.user, topic=topic, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect(topic)


@login_required
@require_POST
def topic_submit(request, pk):
    return _simple_action(request, pk, services.topic_submit, _("Submitted for approval."))


@login_required
@require_POST
def topic_approve(request, pk):
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        topic = _topic_or_404(request, pk)
        return _step_page(request, topic, form, _("Approve the topic"))
    return _simple_action(request, pk, services.topic_approve, _("The topic was approved."),
                          publish=form.cleaned_data["publish"], planned_month=form.cleaned_data["planned_month"])


@login_required
@require_POST
def topic_reject(request, pk):
    topic = _topic_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.topic_reject(actor=request.user, topic=topic, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            if exc.status_code == 400:
                _form_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                return redirect(topic)
        else:
            messages.success(request, _("The topic was not adopted; the secretary sees the reason."))
            return redirect(topic)
    return _step_page(request, topic, form, _("Do not adopt the topic"))


@login_required
@require_POST
def topic_publish(request, pk):
    public = request.POST.get("public") == "1"
    return _simple_action(request, pk, services.topic_set_public,
                          _("Published.") if public else _("Publication withdrawn."), public=public)


@login_required
@require_POST
def topic_close(request, pk):
    return _simple_action(request, pk, services.topic_close,
                          _("The topic was closed; the follow-up review is scheduled."))


@login_required
@require_POST
def research_waive(request, pk):
    topic = _topic_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.research_waive(actor=request.user, topic=topic, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Research waived; the exception is recorded."))
        return redirect(topic)
    return _step_page(request, topic, form, _("Waive research (exception)"))


def _step_form_view(request, pk, *, form_factory, call, title, success, multipart=False):
    """A step with a form: GET shows it on its own page, POST saves via `call(topic, data)`."""
    topic = _topic_or_404(request, pk)
    if not (rules.can_manage(request.user, topic.org_path) or rules.can_instruct(request.user, topic.org_path)
            or rules.can_evaluate(request.user, topic.org_path)):
        raise Http404
    form = form_factory(topic, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(topic, form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(topic)
    return _step_page(request, topic, form, title, extra={"multipart": multipart})


@login_required
@require_http_methods(["GET", "POST"])
def research_add(request, pk):
    def call(topic, d):
        services.research_add(actor=request.user, topic=topic, kind=d["kind"], done_on=d["done_on"],
                              findings=d["findings"], team=d["team"], members=d["members"],
                              respondents=d["respondents"] or 0)
    return _step_form_view(request, pk, title=_("Record research"), success=_("Research recorded."), call=call,
                           form_factory=lambda t, *a: forms.ResearchForm(*a[:1], members=_members_for(t)))


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    def call(topic, d):
        session = services.session_schedule(actor=request.user, topic=topic, **d)
        call.session = session
    call.session = None
    response = _step_form_view(request, pk, title=_("Plan a session"), success=_("Session planned. Now invite the "
                                                                                 "participants."),
                               call=call, form_factory=lambda t, *a: forms.SessionPlanForm(*a[:1]))
    if call.session is not None:
        return redirect("consultations:session", pk=call.session.pk)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, pk):
    topic = _topic_or_404(request, pk)
    outcome = selectors.outcome_of(topic)

    def factory(t, *a):
        initial = None
        if outcome is not None:
            initial = {"consensus": "1" if outcome.consensus else "0", "summary": outcome.summary,
                       "minutes": outcome.minutes, "version": outcome.version}
        return forms.OutcomeForm(*a[:1], initial=initial)

    def call(t, d):
        if outcome is None:
            services.outcome_record(actor=request.user, topic=t, consensus=d["consensus"], summary=d["summary"],
                                    minutes=d["minutes"])
        else:
            services.outcome_update(actor=request.user, outcome=outcome, version=d["version"],
                                    consensus=d["consensus"], summary=d["summary"], minutes=d["minutes"])
    return _step_form_view(request, pk, title=_("Outcome"), success=_("Outcome saved."), call=call,
                           form_factory=factory)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_add(request, pk):
    def call(topic, d):
        services.suggestion_add(actor=request.user, topic=topic, **d)
    return _step_form_view(request, pk, title=_("Add a suggestion"), success=_("Suggestion added and sent."),
                           call=call, form_factory=lambda t, *a: forms.SuggestionForm(*a[:1], units=_handling_units(t)))


@login_required
@require_http_methods(["GET", "POST"])
def instruction_add(request, pk):
    def call(topic, d):
        services.instruction_add(actor=request.user, topic=topic, **d)
    return _step_form_view(request, pk, title=_("Record a leader's instruction"), success=_("Instruction recorded."),
                           call=call, form_factory=lambda t, *a: forms.InstructionForm(*a[:1]))


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_add(request, pk):
    def call(topic, d):
        services.evaluation_add(actor=request.user, topic=topic, **d)
    return _step_form_view(request, pk, title=_("Rate the results"), success=_("Rating recorded."), call=call,
                           form_factory=lambda t, *a: forms.EvaluationForm(*a[:1]))


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, pk):
    def call(topic, d):
        services.attachment_add(actor=request.user, topic=topic, upload=d["file"], stage=d["stage"],
                                description=d["description"])
    return _step_form_view(request, pk, title=_("Upload evidence"), success=_("Evidence uploaded."), call=call,
                           multipart=True, form_factory=lambda t, *a: forms.AttachmentForm(*a[:2]))


def _attachment_or_404(request, pk) -> Attachment:
    return permissions.get_in_scope_or_404(Attachment.objects.select_related("topic").filter(is_active=True),
                                           request.user, field="topic__org_path", pk=pk)


@login_required
def attachment_download(request, pk):
    attachment = _attachment_or_404(request, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404
    ctype = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=ctype)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = _attachment_or_404(request, pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Evidence removed."))
    return redirect(attachment.topic)


# ---------------------------------------------------------------------------------- sessions

@login_required
def session_detail(request, pk):
    session = _session_or_404(request, pk)
    participants = list(session.participants.select_related("member"))
    manage = rules.can_manage(request.user, session.org_path)
    actions = allowed_actions(session, request.user)
    ctx = {"session": session, "topic": session.topic, "participants": participants, "can_manage": manage,
           "timeline": timeline_for(session)[:30], "today": timezone.localdate()}
    if "invite" in actions:
        ctx["invite_form"] = forms.InviteForm(members=_members_for(session.topic))
    if "cancel" in actions:
        ctx["cancel_form"] = forms.ReasonForm()
    if "hold" in actions:
        ctx["hold_form"] = forms.HoldForm(participants=participants, initial={"version": session.version,
                                                                                  "steps_done": [
                                                                                      "brief", "opinions",
                                                                                      "interaction", "consensus"]})
    if "invite" in actions:
        from .settings_keys import stakeholder_min_percent

        minimum = stakeholder_min_percent(session.org_unit, session.scheduled_on.year)
        if minimum:
            invited = participants
            stake = sum(1 for p in invited if p.kind in services.STAKEHOLDER_KINDS)
            share = round(stake * 100 / len(invited)) if invited else 0
            if share < minimum:
                ctx["stakeholder_warning"] = _(
                    "Stakeholders are %(share)d%% of those invited; this unit's rule asks for at least %(min)d%%."
                ) % {"share": share, "min": minimum}
    return render(request, "consultations/session_detail.html", ctx)


@login_required
@require_POST
def session_invite(request, pk):
    session = _session_or_404(request, pk)
    form = forms.InviteForm(request.POST, members=_members_for(session.topic))
    if form.is_valid():
        try:
            services.participant_add(actor=request.user, session=session, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Invited."))
            return redirect("consultations:session", pk=session.pk)
    return render(request, "consultations/step_form.html", {"topic": session.topic, "form": form,
                                                            "title": _("Invite a participant")}, status=400)


@login_required
@require_POST
def participant_remove(request, pk):
    try:
        participant = Participant.objects.select_related("session__topic").filter(
            permissions.scope_q(request.user, "session__org_path")).get(pk=pk)
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise Http404
    try:
        services.participant_remove(actor=request.user, participant=participant)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Removed."))
    return redirect("consultations:session", pk=participant.session_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_hold(request, pk):
    session = _session_or_404(request, pk)
    if not rules.can_manage(request.user, session.org_path):
        raise Http404
    participants = list(session.participants.select_related("member"))
    form = forms.HoldForm(request.POST or None, participants=participants, initial={"version": session.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.session_hold(actor=request.user, session=session, version=d["version"],
                                  attendance=form.attendance(), steps_done=d["steps_done"],
                                  residents_count=d["residents_count"] or 0, summary=d["summary"],
                                  online_views=d["online_views"] or 0, votes_for=d["votes_for"],
                                  votes_against=d["votes_against"], votes_abstain=d["votes_abstain"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The session is recorded as held. Next: record the outcome."))
            return redirect(session.topic)
    return _step_page(request, session.topic, form, _("Record the session as held"))


@login_required
@require_POST
def session_cancel(request, pk):
    session = _session_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The session was cancelled."))
            return redirect(session.topic)
    else:
        messages.error(request, _("Give a reason for cancelling."))
    return redirect("consultations:session", pk=session.pk)


# ------------------------------------------------------------------------ suggestions, 回头看

@login_required
@require_http_methods(["GET", "POST"])
def suggestion_detail(request, pk):
    """The handling page of one suggestion: for its department and for the topic's managers."""
    suggestion = selectors.suggestion_for_handler(user=request.user, pk=pk)
    can = rules.can_handle(request.user, suggestion)
    progress_form = forms.ProgressForm()
    feedback_form = forms.FeedbackForm()
    if request.method == "POST" and can:
        step = request.POST.get("step")
        try:
            if step == "accept":
                services.suggestion_accept(actor=request.user, suggestion=suggestion,
                                           adopted=request.POST.get("adopted", "1") == "1")
                messages.success(request, _("Accepted."))
            elif step == "progress":
                progress_form = forms.ProgressForm(request.POST)
                if progress_form.is_valid():
                    services.suggestion_progress(actor=request.user, suggestion=suggestion,
                                                 text=progress_form.cleaned_data["text"])
                    messages.success(request, _("Progress recorded."))
            elif step == "feedback":
                feedback_form = forms.FeedbackForm(request.POST)
                if feedback_form.is_valid():
                    services.suggestion_close(actor=request.user, suggestion=suggestion, **feedback_form.cleaned_data)
                    messages.success(request, _("Feedback recorded."))
            else:
                raise DomainError(_("Unknown step."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        if not (progress_form.errors or feedback_form.errors):
            return redirect("consultations:suggestion", pk=suggestion.pk)
    elif request.method == "POST":
        raise Http404
    suggestion.refresh_from_db()
    return render(request, "consultations/suggestion_detail.html", {
        "s": suggestion, "topic": suggestion.topic, "can_handle": can,
        "actions": dict.fromkeys(allowed_actions(suggestion, request.user), True), "progress_form": progress_form,
        "feedback_form": feedback_form, "today": timezone.localdate(),
        "outcome": selectors.outcome_of(suggestion.topic),
    }, status=400 if (progress_form.errors or feedback_form.errors) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def followup_record(request, pk):
    try:
        followup = FollowUp.objects.select_related("topic__org_unit").filter(
            permissions.scope_q(request.user, "topic__org_path")).get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not rules.can_manage(request.user, followup.topic.org_path):
        raise Http404
    form = forms.FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_record(actor=request.user, followup=followup, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Follow-up review recorded."))
            return redirect(followup.topic)
    return _step_page(request, followup.topic, form, _("Follow-up review (回头看)"))


# ------------------------------------------------------------------- home panel, unit section

def home_panel(request):
    user = request.user
    roles = permissions.roles_of(user)
    if Role.MEMBER in roles:
        upcoming = [p for p in selectors.invitations_for_member(user=user)[:20]
                    if p.session.status == SessionStatus.PLANNED and p.session.scheduled_on >= timezone.localdate()]
        if upcoming:
            return {"template": "consultations/_home_member.html", "invitations": upcoming[:5]}
    if roles & {Role.SECRETARY, Role.OFFICE_CLERK, Role.APPROVER, Role.ADMIN}:
        counts = selectors.status_counts(user=user)
        return {"template": "consultations/_home_panel.html", "counts": counts,
                "awaiting": counts.get(TopicStatus.SUBMITTED, 0),
                "handling": counts.get(TopicStatus.HANDLING, 0),
                "overdue": selectors.overdue_suggestions(user=user).count(),
                "followups": selectors.followups_due(user=user).filter(due_on__lte=timezone.localdate()).count()}
    return None


def unit_section(request, unit):
    """Planned/held against the unit's quota on every unit page."""
    if unit.kind == UnitKind.DEPARTMENT:
        return None
    from .settings_keys import quota_for

    year = timezone.localdate().year
    row = selectors.quota_row(unit=unit, year=year, quota=quota_for(unit, year))
    return {"template": "consultations/_unit_section.html", "quota": row,
            "recent": selectors.topic_list(user=request.user, unit=unit)[:5]}



@login_required
@require_http_methods(["POST"])
def outcome_typical(request, pk):
    """Mark the outcome as a typical case (典型案例) for the report pack, or unmark it."""
    topic = selectors.topic_for_page(user=request.user, pk=pk)
    outcome = selectors.outcome_of(topic)
    if outcome is None:
        raise Http404
    try:
        services.outcome_mark_typical(actor=request.user, outcome=outcome, typical=request.POST.get("typical") == "1")
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as a typical case.") if request.POST.get("typical") == "1"
                         else _("No longer a typical case."))
    return redirect(topic.get_absolute_url() + "#outcome")


# --------------------------------------------------------------------------- Word minutes

@login_required
def minutes_docx(request, pk):
    """The minutes as a Word document from the unit's template (or the built-in one)."""
    from portal.documents import file_response

    from .documents import minutes_filename, render_minutes

    topic = selectors.topic_for_page(user=request.user, pk=pk)
    outcome = selectors.outcome_of(topic)
    if outcome is None:
        messages.error(request, _("Record the outcome before printing the minutes."))
        return redirect(topic)
    template = selectors.minutes_template_for(topic.org_unit)
    data = None
    if template is not None:
        try:
            with template.file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError, ValueError):
            data = None
    try:
        content = render_minutes(topic, outcome, data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(topic)
    return file_response(content, minutes_filename(topic))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_templates(request):
    """Staff upload the Word template for their unit's minutes; the default is downloadable to edit."""
    from portal.documents import file_response

    from .documents import FIELDS, default_template_bytes

    if request.GET.get("download") == "default":
        return file_response(default_template_bytes(), "协商纪要模板.docx")
    units = permissions.units_visible_to(request.user, roles=rules.MANAGERS).filter(is_active=True).exclude(
        kind=UnitKind.DEPARTMENT).order_by("path")
    can_upload = permissions.has_role(request.user, rules.MANAGERS)
    form = forms.TemplateUploadForm(request.POST or None, request.FILES or None, units=units,
                                    initial={"org_unit": permissions.home_units(request.user).first()})
    if request.method == "POST":
        if not can_upload:
            raise Http404
        if form.is_valid():
            try:
                services.minutes_template_upload(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                                 upload=form.cleaned_data["file"], name=form.cleaned_data["name"])
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The template was checked and saved."))
                return redirect("consultations:templates")
    from .models import DocumentTemplate

    templates = permissions.scoped(DocumentTemplate.objects.filter(is_active=True).select_related("org_unit"),
                                   request.user)
    return render(request, "consultations/templates.html", {
        "form": form if can_upload else None, "templates": templates, "fields": FIELDS.items(),
    }, status=400 if form.errors else 200)
