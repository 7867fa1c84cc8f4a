"""Pages of the consultation loop. Thin: parse with a form, call a service, render or redirect.
Domain errors become form errors or messages, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Member
from organizations import permissions
from organizations.models import Role, UnitKind
from organizations.traffic import TrafficDays
from portal.actions import add_form_error, button_action, deny_if_not_allowed, form_action, refuse
from portal.audit import timeline_for
from portal.errors import DomainError
from portal.files import files_login_required
from portal.fragments import render_rows
from portal.links import row_links
from portal.pagination import more_page
from portal.rows import choice_labels, date_labels
from portal.traffic import attach_lights
from portal.workflow import allowed_actions

from . import forms, progress, rules, selectors, services
from .models import (
    Attachment,
    FollowUp,
    Participant,
    Session,
    SessionStatus,
    SuggestionStatus,
    Topic,
    TopicStatus,
)


def _topic_or_404(request, pk) -> Topic:
    return permissions.get_in_scope_or_404(Topic.objects.select_related("org_unit"), request.user, pk=pk)


def _session_or_404(request, pk) -> Session:
    return permissions.get_in_scope_or_404(Session.objects.select_related("topic", "org_unit"), request.user, pk=pk)


def _topic_for(request, pk, roles) -> Topic:
    """The refusal policy: 404 outside the scope, 403 in it without one of `roles`."""
    return permissions.get_for_role(Topic.objects.select_related("org_unit"), request.user, roles, pk=pk)


def _session_for(request, pk, roles) -> Session:
    return permissions.get_for_role(Session.objects.select_related("topic", "org_unit"), request.user, roles, pk=pk)



def _members_for(topic: Topic):
    """Members who may take part: of the topic's CPPCC tree or posted into its subtree."""
    return (Member.objects.filter(is_active=True)
            .filter(services.models_q_member_near(topic, topic.org_unit.ancestor_ids)).distinct()
            .order_by("name"))


def _handling_units(topic: Topic):
    return selectors.handling_units_for(topic)


# ------------------------------------------------------------------------------------- lists

# the badge colour of a topic's status in the queue (others: primary)
_STATUS_TONE = {TopicStatus.SUBMITTED: "warning", TopicStatus.REJECTED: "secondary", TopicStatus.CLOSED: "success",
                TopicStatus.REVIEWED: "success"}


@login_required
def topic_list(request):
    """The secretary's queue: their units' topics, filterable, paginated; htmx swaps the table."""
    f = forms.TopicFilterForm(request.GET or None)
    data = f.cleaned_data if f.is_valid() else {}
    qs = selectors.topic_list(user=request.user, status=data.get("status", ""), channel=data.get("channel", ""),
                              q=data.get("q", ""), overdue=bool(data.get("overdue")))
    if data.get("overdue"):  # a DISTINCT query: count the page's suggestions afterwards
        page = more_page(qs, request.GET.get("page"))  # "next" without counting the whole scope
        page.object_list = selectors.with_open_suggestions(page.object_list)
    else:  # one query: the page's rows with their counts
        page = more_page(selectors.queue_page_columns(qs), request.GET.get("page"))
    row_links(page.object_list, "consultations:topic")
    choice_labels(page.object_list, "channel", "status")
    date_labels(page.object_list, updated_at="SHORT_DATE_FORMAT")
    for topic in page.object_list:
        topic.status_tone = _STATUS_TONE.get(topic.status, "primary")
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "rows": render_rows("consultations/_topic_rows.html", rows=page.object_list),
           "filter": f, "query": query.urlencode(),
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
    page = more_page(selectors.session_page_columns(qs), request.GET.get("page"))  # rows and counts: one query
    row_links(page.object_list, "consultations:session")
    choice_labels(page.object_list, "form", "status")
    date_labels(page.object_list, scheduled_on="DATE_FORMAT")
    return render(request, "consultations/session_list.html", {
        "page": page, "when": upcoming, "rows": render_rows("consultations/_session_rows.html", rows=page.object_list)})


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
    reason = request.POST.get("reason", "")[:200]
    button_action(request, lambda: services.participant_respond(
        actor=request.user, participant=participant, attending=attending, reason=reason),
        success=_("Thank you, your answer was recorded."))
    return redirect("consultations:my_sessions")


@login_required
def handling(request):
    """A department's inbox: the open suggestions routed to its unit (nearest deadline first); those
    with feedback given are under their own tab."""
    done = request.GET.get("show") == "done"
    page = more_page(selectors.suggestions_for_department(user=request.user, done=done), request.GET.get("page"))
    today = timezone.localdate()
    _suggestion_lights(page.object_list, today)
    return render(request, "consultations/handling.html", {
        "page": page, "today": today, "done": done,
        "n_open": selectors.suggestions_for_department(user=request.user, done=False).count(),
        "lights": selectors.suggestion_light_counts(user=request.user, today=today)})


def _suggestion_lights(suggestions, today):
    """Traffic lights by the deadline, with the yellow window of the topic's unit (one query)."""
    days = TrafficDays(today.year)
    return attach_lights(suggestions, deadline=lambda s: s.deadline,
                         done=lambda s: s.status == SuggestionStatus.DONE,
                         days=lambda s: days.for_path(s.topic.org_path), today=today)


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
    permissions.require_page_role(request.user, rules.MANAGERS)
    units = permissions.units_visible_to(request.user, roles=rules.MANAGERS).filter(is_active=True).exclude(
        kind=UnitKind.DEPARTMENT).order_by("path")
    form = forms.TopicCreateForm(request.POST or None, units=units,
                                 initial={"org_unit": permissions.home_units(request.user).first()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        ok, topic = form_action(request, form, lambda: services.topic_create(actor=request.user, **data),
                                success=_("The topic was recorded. Next: submit it for approval."))
        if ok:
            return redirect(topic)
    return render(request, "consultations/step_form.html", {"form": form, "title": _("Record a topic"),
                                                            "multipart": False},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk):
    topic = _topic_for(request, pk, rules.MANAGERS)
    if request.method == "POST":
        form = forms.TopicForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            ok, _result = form_action(
                request, form, lambda: services.topic_update(actor=request.user, topic=topic, version=version, **data),
                success=_("Saved."))
            if ok:
                return redirect(topic)
    else:
        form = forms.TopicForm(initial={f: getattr(topic, f) for f in services.EDITABLE_TOPIC_FIELDS} |
                               {"version": topic.version})
    return _step_page(request, topic, form, _("Edit topic"))


def _simple_action(request, pk, func, success, **kwargs):
    topic = _topic_or_404(request, pk)
    button_action(request, lambda: func(actor=request.user, topic=topic, **kwargs), success=success)
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
                          publish=form.cleaned_data["publish"], planned_month=form.cleaned_data["planned_month"],
                          approved_on=form.cleaned_data["approved_on"])


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
                add_form_error(form, exc)
            else:  # a missing role: 403; the topic's state: back to it, with the reason
                refuse(request, exc)
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
    form = forms.EventDateForm(request.POST)
    if not form.is_valid():
        topic = _topic_or_404(request, pk)
        return _step_page(request, topic, form, _("Close the topic"))
    return _simple_action(request, pk, services.topic_close,
                          _("The topic was closed; the follow-up review is scheduled."),
                          closed_on=form.cleaned_data["on"])


@login_required
@require_POST
def research_waive(request, pk):
    topic = _topic_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        button_action(request, lambda: services.research_waive(actor=request.user, topic=topic,
                                                               reason=form.cleaned_data["reason"]),
                      success=_("Research waived; the exception is recorded."))
        return redirect(topic)
    return _step_page(request, topic, form, _("Waive research (exception)"))


def _step_form_view(request, pk, *, form_factory, call, title, success, multipart=False):
    """A step with a form: GET shows it on its own page, POST saves via `call(topic, data)`."""
    topic = _topic_for(request, pk, rules.MANAGERS | rules.INSTRUCTORS | rules.EVALUATORS)
    form = form_factory(topic, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = form_action(request, form, lambda: call(topic, form.cleaned_data), success=success)
        if ok:
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
                       "minutes": outcome.minutes, "recorded_on": outcome.recorded_on, "version": outcome.version}
        return forms.OutcomeForm(*a[:1], initial=initial)

    def call(t, d):
        if outcome is None:
            services.outcome_record(actor=request.user, topic=t, consensus=d["consensus"], summary=d["summary"],
                                    minutes=d["minutes"], recorded_on=d["recorded_on"])
        else:
            services.outcome_update(actor=request.user, outcome=outcome, version=d["version"],
                                    consensus=d["consensus"], summary=d["summary"], minutes=d["minutes"],
                                    recorded_on=d["recorded_on"])
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


@files_login_required
def attachment_download(request, pk):
    attachment = _attachment_or_404(request, pk)
    from portal.files import serve_private

    return serve_private(attachment.file, filename=attachment.original_name)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = _attachment_or_404(request, pk)
    button_action(request, lambda: services.attachment_remove(actor=request.user, attachment=attachment),
                  success=_("Evidence removed."))
    return redirect(attachment.topic)


# ---------------------------------------------------------------------------------- sessions

@login_required
def session_detail(request, pk):
    session = _session_or_404(request, pk)
    participants = list(session.participants.select_related("member"))
    manage = rules.can_manage(request.user, session.org_path)
    actions = allowed_actions(session, request.user)
    ctx = {"session": session, "topic": session.topic, "participants": participants, "can_manage": manage,
           "timeline": timeline_for(session)[:30], "today": timezone.localdate(),
           "signins": list(session.signins.all()) if manage else []}
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
        ok, _result = form_action(request, form, lambda: services.participant_add(
            actor=request.user, session=session, **form.cleaned_data), success=_("Invited."))
        if ok:
            return redirect("consultations:session", pk=session.pk)
    return render(request, "consultations/step_form.html", {"topic": session.topic, "form": form,
                                                            "title": _("Invite a participant")}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def session_invite_draw(request, pk):
    """Invite the result of a fair pool draw (members' talent pools of the session's area) in one
    step: the draw is shown first; "invite these" re-draws with the same seed (the same people)
    and invites them all through participants_invite."""
    from members.forms import PoolDrawForm
    from members.models import Notable
    from members.selectors import pool_draw
    from organizations.models import OrgUnit

    from .models import ParticipantKind

    session = _session_for(request, pk, rules.MANAGERS)
    if session.status == SessionStatus.CANCELLED:
        raise Http404
    data = request.POST if request.method == "POST" else (request.GET if "size" in request.GET else None)
    form = PoolDrawForm(data, units=OrgUnit.objects.filter(pk=session.org_unit_id),
                        initial={"unit": session.org_unit_id})
    result = None
    if data is not None and form.is_valid():
        result = pool_draw(request.user, **form.cleaned_data)
        if request.method == "POST":
            members = [person for kind, person in result["drawn"] if kind == "member"]
            notables = [person for kind, person in result["drawn"] if kind != "member"]
            units = {u.pk: u.name for u in OrgUnit.objects.filter(
                pk__in=[n.org_unit_id for n in notables if isinstance(n, Notable)])}
            others = [(n.name, units.get(n.org_unit_id, ""), ParticipantKind.NOTABLE) for n in notables]
            ok, created = form_action(request, form, lambda: services.participants_invite(
                actor=request.user, session=session, members=members, others=others))
            if ok:
                messages.success(request, _("%(n)d people from the draw were invited.") % {"n": len(created)})
                return redirect("consultations:session", pk=session.pk)
    return render(request, "consultations/session_draw.html", {"session": session, "form": form, "result": result})


@login_required
@require_POST
def participant_remove(request, pk):
    participant = permissions.get_in_scope_or_404(Participant.objects.select_related("session__topic"),
                                                  request.user, field="session__org_path", pk=pk)
    button_action(request, lambda: services.participant_remove(actor=request.user, participant=participant),
                  success=_("Removed."))
    return redirect("consultations:session", pk=participant.session_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_hold(request, pk):
    session = _session_for(request, pk, rules.MANAGERS)
    participants = list(session.participants.select_related("member"))
    form = forms.HoldForm(request.POST or None, participants=participants, initial={"version": session.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _result = form_action(request, form, lambda: services.session_hold(
            actor=request.user, session=session, version=d["version"], attendance=form.attendance(),
            steps_done=d["steps_done"], residents_count=d["residents_count"] or 0, summary=d["summary"],
            online_views=d["online_views"] or 0, votes_for=d["votes_for"], votes_against=d["votes_against"],
            votes_abstain=d["votes_abstain"], held_on=d["held_on"]),
            success=_("The session is recorded as held. Next: record the outcome."))
        if ok:
            return redirect(session.topic)
    return _step_page(request, session.topic, form, _("Record the session as held"))


@login_required
@require_POST
def session_cancel(request, pk):
    session = _session_or_404(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        ok, _result = button_action(request, lambda: services.session_cancel(
            actor=request.user, session=session, reason=form.cleaned_data["reason"]),
            success=_("The session was cancelled."))
        if ok:
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
                date_form = forms.EventDateForm(request.POST)
                if not date_form.is_valid():
                    raise DomainError(date_form.errors["on"][0], field="on")
                services.suggestion_accept(actor=request.user, suggestion=suggestion,
                                           adopted=request.POST.get("adopted", "1") == "1",
                                           accepted_on=date_form.cleaned_data["on"])
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
            refuse(request, exc)
        if not (progress_form.errors or feedback_form.errors):
            return redirect("consultations:suggestion", pk=suggestion.pk)
    elif request.method == "POST":
        raise PermissionDenied  # the page is in the user's reach, handling it is not
    suggestion.refresh_from_db()
    _suggestion_lights([suggestion], timezone.localdate())
    return render(request, "consultations/suggestion_detail.html", {
        "s": suggestion, "topic": suggestion.topic, "can_handle": can,
        "actions": dict.fromkeys(allowed_actions(suggestion, request.user), True), "progress_form": progress_form,
        "feedback_form": feedback_form, "today": timezone.localdate(),
        "outcome": selectors.outcome_of(suggestion.topic),
    }, status=400 if (progress_form.errors or feedback_form.errors) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def followup_record(request, pk):
    followup = permissions.get_for_role(FollowUp.objects.select_related("topic__org_unit"), request.user,
                                        rules.MANAGERS, field="topic__org_path", pk=pk)
    form = forms.FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        ok, _result = form_action(request, form, lambda: services.followup_record(
            actor=request.user, followup=followup, **form.cleaned_data), success=_("Follow-up review recorded."))
        if ok:
            return redirect(followup.topic)
    return _step_page(request, followup.topic, form, _("Follow-up review (回头看)"))


# ------------------------------------------------------------------- home panel, unit section

def home_panel(request):
    """The home page's consultation work, by role: a member's invitations; a department's open
    suggestions; a secretary's sessions today and what is overdue; an office's counts."""
    user = request.user
    roles = permissions.roles_of(user)
    today = timezone.localdate()
    if Role.MEMBER in roles:
        upcoming = [p for p in selectors.invitations_for_member(user=user)[:20]
                    if p.session.status == SessionStatus.PLANNED and p.session.scheduled_on >= today]
        if upcoming:
            return {"template": "consultations/_home_member.html", "invitations": upcoming[:5], "order": 10}
    if Role.DEPARTMENT in roles:
        open_items = selectors.suggestions_for_department(user=user, done=False)
        n_open = open_items.count()
        items = _suggestion_lights(open_items[:5], today)
        return {"template": "consultations/_home_department.html", "items": items,
                "lights": selectors.suggestion_light_counts(user=user, today=today) if n_open else {},
                "n_open": n_open, "today": today, "order": 10 if n_open else 14}
    if roles & {Role.SECRETARY, Role.OFFICE_CLERK, Role.APPROVER, Role.ADMIN}:
        counts = selectors.status_counts(user=user)
        overdue = selectors.overdue_suggestions(user=user)
        followups = selectors.followups_due(user=user).filter(due_on__lte=today)
        panel = {"template": "consultations/_home_panel.html", "counts": counts,
                 "awaiting": counts.get(TopicStatus.SUBMITTED, 0),
                 "handling": counts.get(TopicStatus.HANDLING, 0),
                 "overdue": overdue.count(), "followups": followups.count(), "order": 30,
                 "lights": selectors.suggestion_light_counts(qs=selectors.open_suggestions_in_scope(user=user),
                                                             today=today)}
        if roles & {Role.SECRETARY, Role.APPROVER}:
            # A secretary's day: today's sessions first, then what is late.
            panel.update(order=10, width=8, today=today,
                         sessions_today=list(selectors.sessions_list(user=user).filter(scheduled_on=today)[:5]),
                         overdue_items=_suggestion_lights(overdue[:5], today), followup_items=list(followups[:5]))
        return panel
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
    typical = request.POST.get("typical") == "1"
    button_action(request, lambda: services.outcome_mark_typical(actor=request.user, outcome=outcome, typical=typical),
                  success=_("Marked as a typical case.") if typical else _("No longer a typical case."))
    return redirect(topic.get_absolute_url() + "#outcome")


# --------------------------------------------------------------------------- Word minutes

@login_required
def notice_docx(request, pk):
    """The 公示 notice of a published topic, in the official format, to post on the notice board."""
    from portal.documents import file_response

    from .documents import notice_filename, render_notice

    topic = selectors.topic_for_page(user=request.user, pk=pk)
    if not topic.is_public:
        messages.error(request, _("Publish the topic (公示) before printing its notice."))
        return redirect(topic)
    return file_response(render_notice(topic), notice_filename(topic))


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
        refuse(request, exc)
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
            raise PermissionDenied  # the page is the user's to read; uploading is the managers'
        if form.is_valid():
            ok, _result = form_action(request, form, lambda: services.minutes_template_upload(
                actor=request.user, org_unit=form.cleaned_data["org_unit"], upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"]), success=_("The template was checked and saved."))
            if ok:
                return redirect("consultations:templates")
    from .models import DocumentTemplate

    templates = permissions.scoped(DocumentTemplate.objects.filter(is_active=True).select_related("org_unit"),
                                   request.user)
    return render(request, "consultations/templates.html", {
        "form": form if can_upload else None, "templates": templates, "fields": FIELDS.items(),
    }, status=400 if form.errors else 200)


# ------------------------------------------------------------------- one page for a session

SESSION_RECORD_FIELDS = {"reason": "correction_reason", "summary": "outcome_summary", "attendance": None,
                         "member": "members", "kind": "others_kind", "name": "others", "organisation": "others"}


# ------------------------------------------------------------------------------ back-entry (补录)

def _back_entry_data(d, lines):
    from .backentry import BackEntry, BackSuggestion

    return BackEntry(
        org_unit=d["org_unit"], title=d["title"], description=d["description"], channel=d["channel"],
        category=d["category"], raised_on=d["raised_on"], approved_on=d["approved_on"],
        approved_by_name=d["approved_by_name"], research_done_on=d["research_done_on"],
        research_kind=d["research_kind"], research_findings=d["research_findings"], held_on=d["held_on"],
        session_form=d["session_form"], venue=d["venue"], members_attended=list(d["members_attended"]),
        members_absent=list(d["members_absent"]), residents_count=d["residents_count"] or 0,
        session_summary=d["session_summary"], consensus=d["consensus"],
        outcome_recorded_on=d["outcome_recorded_on"], outcome_summary=d["outcome_summary"], minutes=d["minutes"],
        closed_on=d["closed_on"], followup_done_on=d["followup_done_on"], followup_findings=d["followup_findings"],
        suggestions=[BackSuggestion(
            text=s["text"], route=s["route"], handling_unit=s["handling_unit"], handler_name=s["handler_name"],
            routed_on=s["routed_on"], accepted_on=s["accepted_on"], ending=s["ending"], feedback=s["feedback"],
            closed_on=s["closed_on"]) for s in lines],
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_record(request, pk):
    """The topic's session on one page: its planned session if there is one, else a new one."""
    topic = _topic_for(request, pk, rules.MANAGERS)
    session = topic.sessions.filter(status=SessionStatus.PLANNED).order_by("scheduled_on", "id").first()
    return _session_record_page(request, topic, session)


@login_required
@require_http_methods(["GET", "POST"])
def session_record_for(request, pk):
    """One session on one page: a planned one to record, a held one to correct."""
    session = _session_for(request, pk, rules.MANAGERS)
    if session.status == SessionStatus.CANCELLED:
        messages.error(request, _("A cancelled session cannot be recorded."))
        return redirect("consultations:session", pk=session.pk)
    return _session_record_page(request, session.topic, session)


def _session_record_page(request, topic, session):
    from .models import Route

    prefill = selectors.session_prefill(topic=topic)
    participants = list(session.participants.select_related("member")) if session else []
    invited_ids = {p.member_id for p in participants if p.member_id}
    candidates = _members_for(topic).exclude(pk__in=invited_ids)
    held = session is not None and session.status == SessionStatus.HELD
    outcome = selectors.outcome_of(topic)
    today = timezone.localdate()
    if session is not None:
        initial = {"scheduled_on": session.scheduled_on, "start_time": session.start_time, "form": session.form,
                   "venue": session.venue, "agenda": session.agenda, "version": session.version,
                   "residents_count": session.residents_count or None, "summary": session.summary,
                   "steps_done": session.steps_done if held else ["brief", "opinions", "interaction", "consensus"],
                   "votes_for": session.votes_for, "votes_against": session.votes_against,
                   "votes_abstain": session.votes_abstain}
    else:
        initial = {"scheduled_on": today, "form": "council", "venue": prefill["venue"],
                   "steps_done": ["brief", "opinions", "interaction", "consensus"]}
    if not held:
        initial["members"] = [pk for pk in prefill["standing_ids"] | prefill["research_ids"] if pk not in invited_ids]
    signins = list(session.signins.all()) if session is not None else []
    resident_signins = sum(1 for s in signins if not s.member_id)
    if resident_signins and not initial.get("residents_count"):
        initial["residents_count"] = resident_signins  # the secretary confirms by saving
    units = _handling_units(topic)
    row_initial = {"route": Route.COMMUNITY, "deadline": prefill["deadline"]}
    form = forms.SessionRecordForm(request.POST or None, initial=initial, members=candidates,
                                   participants=participants, default_unit=topic.org_unit.name)
    # Suggestion rows only where the outcome is still to be recorded (else the page has none).
    rows = forms.SuggestionRows(request.POST or None, prefix="suggestions",
                                initial=[row_initial] * (3 if not held and outcome is None else 0),
                                form_kwargs={"units": units, "default_deadline": prefill["deadline"]})
    if request.method == "POST":
        hold = request.POST.get("hold") == "1" and not held
        if form.is_valid() and rows.is_valid():
            result = _session_record_save(request, topic, session, form, rows, hold=hold, held=held,
                                          with_outcome=outcome is None)
            if result is not None:
                return result
    pre_ticked = set(initial.get("members", []))
    member_rows = sorted(candidates, key=lambda m: (m.pk not in pre_ticked, m.name))
    ctx = {"topic": topic, "session": session, "form": form, "rows": rows, "held": held, "outcome": outcome,
           "member_rows": member_rows, "pre_ticked": pre_ticked, "prefill": prefill, "today": today,
           "signins": signins, "resident_signins": resident_signins,
           "standing_ids": prefill["standing_ids"], "research_ids": prefill["research_ids"],
           "empty_row": forms.SuggestionRows(prefix="suggestions", form_kwargs={
               "units": units, "default_deadline": prefill["deadline"]}).empty_form,
           "row_initial": row_initial}
    return render(request, "consultations/session_record.html", ctx,
                  status=400 if request.method == "POST" else 200)


def _session_record_save(request, topic, session, form, rows, *, hold, held, with_outcome):
    d = form.cleaned_data
    suggestions, row_index = [], []
    for i, row in enumerate(rows.forms):
        r = row.cleaned_data
        if not r.get("text", "").strip():
            if r.get("handler_name") or r.get("handling_unit"):
                row.add_error("text", _("Write the suggestion, or clear the row."))
                return None
            continue
        suggestions.append({"text": r["text"], "route": r["route"], "handling_unit": r.get("handling_unit"),
                            "handler_name": r.get("handler_name", ""), "deadline": r.get("deadline")})
        row_index.append(i)
    outcome = None
    if hold and with_outcome and (d["outcome_summary"].strip() or suggestions):
        outcome = {"consensus": d["consensus"], "summary": d["outcome_summary"], "minutes": d["minutes"]}
    schedule = {"scheduled_on": d["scheduled_on"], "start_time": d["start_time"], "form": d["form"],
                "venue": d["venue"], "agenda": d["agenda"]}
    held_data = {"steps_done": d["steps_done"], "residents_count": d["residents_count"], "summary": d["summary"],
                 "votes_for": d["votes_for"], "votes_against": d["votes_against"],
                 "votes_abstain": d["votes_abstain"]}
    try:
        saved = services.session_record(
            actor=request.user, topic=topic, session=session, version=d["version"], schedule=schedule,
            members=d["all_members"], others=[(n, o, d["others_kind"]) for n, o in d["others"]],
            attendance=form.attendance(), hold=hold, held=held_data, outcome=outcome, suggestions=suggestions,
            correction_reason=d["correction_reason"])
    except DomainError as exc:
        deny_if_not_allowed(exc)
        field = exc.field or ""
        if field.startswith("suggestions-"):
            _prefix, i, name = field.split("-", 2)
            row = rows.forms[row_index[int(i)]]
            row.add_error(name if name in row.fields else None, str(exc.message))
        else:
            field = SESSION_RECORD_FIELDS.get(field, field)
            form.add_error(field if field in form.fields else None, str(exc.message))
        return None
    if held:
        messages.success(request, _("The corrections were saved."))
    elif hold and outcome is not None:
        messages.success(request, _("The session, its outcome and %(n)d suggestion(s) were recorded.")
                         % {"n": len(suggestions)})
    elif hold:
        messages.success(request, _("The session is recorded as held. Next: record the outcome."))
    else:
        messages.success(request, _("The session was saved; record it as held after the meeting."))
    if hold or held:
        return redirect(saved.topic)
    return redirect("consultations:session", pk=saved.pk)


# ----------------------------------------------------------------------------- 扫码签到 (QR)

SIGNIN_COOKIE = "signin_device"


@login_required
def session_qr(request, pk):
    """The session's sign-in QR code as SVG (shown on the session page, printable on the agenda)."""
    import io

    import segno
    from django.http import HttpResponse
    from django.urls import reverse

    session = _session_for(request, pk, rules.MANAGERS)
    if session.status != SessionStatus.PLANNED:
        raise Http404
    url = request.build_absolute_uri(reverse("consultations:signin", args=[services.signin_token(session)]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, title=str(session.topic.title)[:60])
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def signin(request, token):
    """The page a participant's phone opens from the QR code: public (residents have no account),
    one sign-in per device (cookie) — a member signs in with their account."""
    import secrets

    from members.models import Member

    try:
        session = services.signin_session(token)
    except DomainError as exc:
        status = 404 if exc.status_code == 400 else 403
        return render(request, "consultations/signin.html", {"error": exc.message}, status=status)
    device = request.COOKIES.get(SIGNIN_COOKIE) or secrets.token_hex(16)
    member = None
    if request.user.is_authenticated:
        member = Member.objects.filter(user=request.user, is_active=True).first()
    form = forms.SignInForm(request.POST or None) if member is None else None
    ctx = {"session": session, "topic": session.topic, "member": member, "form": form, "token": token}
    status = 200
    if request.method == "POST":
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            try:
                services.signin_record(token=token, device=request.COOKIES.get(SIGNIN_COOKIE, ""),
                                       user=request.user if member else None, name=data.get("name", ""),
                                       phone_last4=data.get("phone_last4", ""))
            except DomainError as exc:
                if form is not None and exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                else:
                    ctx["error"] = exc.message
                status = 400
            else:
                ctx["done"] = True
        else:
            status = 400
    response = render(request, "consultations/signin.html", ctx, status=status)
    response.set_cookie(SIGNIN_COOKIE, device, max_age=3 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return response


@login_required
@require_http_methods(["GET", "POST"])
def back_entry(request):
    """补录: a secretary or clerk records a consultation that already ran its course."""
    permissions.require_page_role(request.user, rules.MANAGERS)
    from .backentry import consultation_back_enter, split_line_field

    request.repeated_writes = "one service call (and audit row) per step of the consultation"
    units, members, handling = selectors.back_entry_choices(user=request.user)
    form = forms.BackEntryForm(request.POST or None, units=units, members=members,
                               initial={"org_unit": permissions.home_units(request.user).first()})
    formset = forms.BackSuggestionFormSet(request.POST or None, prefix="s", form_kwargs={"units": handling})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        filled = [f for f in formset.forms if f.cleaned_data and f.cleaned_data.get("text")]
        lines = [f.cleaned_data for f in filled]

        def on_line(field):  # "s2_closed_on": the third filled suggestion's field
            index, name = split_line_field(field)
            return (form, name) if index is None else (filled[index], name)

        ok, topic = form_action(
            request, form, lambda: consultation_back_enter(actor=request.user, entry=_back_entry_data(form.cleaned_data, lines)),
            success=_("The consultation was back-entered with its dates."), field_map=on_line)
        if ok:
            return redirect(topic)
    status = 400 if request.method == "POST" else 200
    return render(request, "consultations/back_entry.html", {"form": form, "formset": formset}, status=status)


LEDGER_SESSION_KEY = "consultations.ledger_upload"


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request):
    """台账导入: upload → preview (every row checked through the services, then rolled back) →
    import, all or nothing. The previewed file waits in the user's session for the confirmation."""
    import base64

    from . import ledger

    permissions.require_page_role(request.user, rules.MANAGERS)
    request.repeated_writes = "every ledger row goes through the services"
    form = forms.LedgerUploadForm()
    result, file_error, status = None, None, 200
    if request.method == "POST":
        if request.POST.get("step") == "import":
            stored = request.session.get(LEDGER_SESSION_KEY)
            if not stored:
                file_error, status = _("Upload the file again: the preview has expired."), 400
            else:
                name, data = stored["name"], base64.b64decode(stored["data"])
        else:
            form = forms.LedgerUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                name, data = upload.name, upload.read(ledger.MAX_BYTES + 1)
            else:
                status = 400
        if status == 200 and not file_error:
            try:
                result = ledger.ledger_parse(user=request.user, upload_name=name, data=data)
            except DomainError as exc:
                deny_if_not_allowed(exc)
                file_error, status = str(exc.message), 400
        if result is not None:
            real = request.POST.get("step") == "import"
            result = ledger.ledger_import(user=request.user, result=result, dry_run=not real)
            if result.errors:
                status = 400
                request.session.pop(LEDGER_SESSION_KEY, None)
            elif real:
                request.session.pop(LEDGER_SESSION_KEY, None)
                messages.success(request, _("%(n)d consultations were imported from the ledger.")
                                 % {"n": len(result.imported)})
                return redirect("consultations:topics")
            else:
                request.session[LEDGER_SESSION_KEY] = {"name": name, "data": base64.b64encode(data).decode()}
    return render(request, "consultations/ledger_import.html", {
        "form": form, "result": result, "file_error": file_error,
        "errors": result.errors[:500] if result else [], "columns": ledger.COLUMNS,
    }, status=status)


@login_required
def ledger_template(request, fmt):
    """The ledger template (its header and one example row), as Excel or CSV."""
    from portal.files import download

    from . import ledger

    permissions.require_page_role(request.user, rules.MANAGERS)
    if fmt == "xlsx":
        return download(ledger.template_xlsx(), "ledger-template.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "csv":
        return download(ledger.template_csv(), "ledger-template.csv", content_type="text/csv; charset=utf-8")
    raise Http404
