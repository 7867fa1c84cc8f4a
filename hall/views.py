"""Pages of the hall. Public pages (everything outside /hall/manage/) read through the public
selectors only; staff pages under /hall/manage/ need a login and a staff role over the record."""

from __future__ import annotations

import contextlib
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organizations.permissions import has_role, units_visible_to
from portal.actions import add_form_error, button_action, form_action, refuse
from portal.errors import DomainError

from . import abuse, selectors, services
from .forms import (
    AdoptionForm,
    CommentForm,
    ConsultationForm,
    LiveAnswerForm,
    LiveQuestionForm,
    LiveSessionForm,
    RatingForm,
    ReportForm,
    ResultForm,
    ScreenForm,
    SignupForm,
    SubmissionForm,
    TrackForm,
)
from .models import LiveSession, OnlineConsultation, Submission


def _rate_limited(request, action: str, form) -> bool:
    """Count the attempt; when over the limit, refuse the form before any validation work."""
    try:
        abuse.check_rate(request, action)
    except abuse.RateLimited as exc:
        form.refuse(exc.message).fresh_challenge()
        return True
    return False



# --- Public: browse by place ---------------------------------------------------------------------


@require_GET
def index(request):
    return render(request, "hall/index.html", {
        "places": selectors.place_roots(),
        "consultations": selectors.public_consultations()[:10],
        "live_sessions": selectors.public_live_sessions()[:5],
        "now": selectors.now(),
    })


@require_GET
def place_detail(request, pk):
    unit = selectors.place(pk)
    return render(request, "hall/place.html", {
        "unit": unit,
        "crumbs": selectors.place_breadcrumbs(unit),
        "children": selectors.place_children(unit),
        "consultations": selectors.public_consultations(unit.path)[:30],
        "live_sessions": selectors.public_live_sessions(unit.path)[:10],
        "can_submit": selectors.communities_under(unit).exists(),
        "topics": selectors.public_topics(unit.path)[:30],
        "now": selectors.now(),
    })


# --- Public: resident submissions (群众出题) -------------------------------------------------------


@never_cache
def submit(request, pk):
    unit = selectors.place(pk)
    communities = selectors.communities_under(unit)
    if not communities.exists():
        raise Http404
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, communities=communities)
        if _rate_limited(request, "submit", form):
            return render(request, "hall/submit.html", {"unit": unit, "form": form}, status=429)
        status = 200
        try:
            if form.is_valid():
                data = form.cleaned_data
                submission = services.submission_create(
                    unit=data["unit"], title=data["title"], body=data["body"], location=data["location"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    photos=data["photos"], submitter=request.user,
                )
                return redirect("hall:submitted", code=submission.tracking_code)
        except DomainError as exc:
            add_form_error(form, exc)
            status = 400
        if form.errors and status == 200:
            status = 400
        form.fresh_challenge()
        return render(request, "hall/submit.html", {"unit": unit, "form": form}, status=status)
    initial = {"unit": communities.first().pk} if communities.count() == 1 else {}
    return render(request, "hall/submit.html", {"unit": unit, "form": SubmissionForm(
        initial=initial, communities=communities)})


@never_cache
@require_GET
def submitted(request, code):
    submission = selectors.submission_by_code(code)
    return render(request, "hall/submitted.html", {"submission": submission})


@never_cache
@require_GET
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("hall:track_detail", code=form.cleaned_data["code"].strip())
    return render(request, "hall/track.html", {"form": form})


@never_cache
@require_GET
def track_detail(request, code):
    try:
        submission = selectors.submission_by_code(code)
    except Http404:
        # The same tracking page follows a message sent by scanning a member's or workroom's code.
        from .codes import selectors as code_selectors
        from .codes import views as code_views

        message = code_selectors.message_by_code(code)
        if message is None:
            raise
        return code_views.track_detail(request, message)
    return render(request, "hall/track_detail.html", {
        "submission": submission, "topic": selectors.public_topic_of(submission)})


def _photo_response(photo):
    try:
        return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    except (FileNotFoundError, ValueError):
        raise Http404


@never_cache
@require_GET
def track_photo(request, code, pk):
    submission = selectors.submission_by_code(code)
    photo = next((p for p in submission.photos.all() if p.pk == pk), None)
    if photo is None:
        raise Http404
    return _photo_response(photo)


# --- Public: online consultations (网络协商) ----------------------------------------------------------


def _consultation_context(request, consultation, **extra):
    user = request.user
    context = {
        "c": consultation,
        "comments": selectors.visible_comments(consultation),
        "questionnaire": list(consultation.questions.all()),
        "results": selectors.questionnaire_results(consultation) if consultation.is_closed() else None,
        "ratings": selectors.rating_summary(consultation),
        "is_open": consultation.is_open(),
        "is_closed": consultation.is_closed(),
        "comment_form": CommentForm(),
        "rating_form": RatingForm(),
        "answered": user.is_authenticated and consultation.responses.filter(user=user).exists(),
        "rated": user.is_authenticated and consultation.ratings.filter(user=user).exists(),
        "can_answer": user.is_authenticated and has_role(user, "department"),
        "now": selectors.now(),
    }
    context.update(extra)
    return context


@require_GET
def consultation_detail(request, pk):
    consultation = selectors.public_consultation(pk)
    services.record_view(OnlineConsultation, consultation.pk)
    return render(request, "hall/consultation.html", _consultation_context(request, consultation))


def _participate(request, pk, action, do):
    """POST handlers of the consultation page share: published only, login, rate limit, domain errors."""
    consultation = selectors.public_consultation(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('hall:consultation', args=[consultation.pk])}")
    try:
        abuse.check_rate(request, action)
        do(consultation)
    except DomainError as exc:
        messages.error(request, exc.message)
        status = getattr(exc, "status_code", 400)
        return render(request, "hall/consultation.html", _consultation_context(request, consultation),
                      status=status)
    return redirect(reverse("hall:consultation", args=[consultation.pk]) + "#comments")


@require_POST
def comment_add(request, pk):
    def do(consultation):
        form = CommentForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("Write a comment of at most 2000 characters."), field="body")
        reply_to = None
        if form.cleaned_data.get("reply_to"):
            reply_to = consultation.comments.filter(pk=form.cleaned_data["reply_to"]).first()
            if reply_to is None:
                raise DomainError(_("You can only reply to a visible comment of this consultation."))
        comment = services.comment_add(actor=request.user, consultation=consultation, body=form.cleaned_data["body"],
                                       reply_to=reply_to)
        if comment.status == comment.Status.PENDING:
            messages.info(request, _("Thank you. Your comment will appear after a moderator has seen it."))
        else:
            messages.success(request, _("Thank you for your comment."))

    # Departments' official answers are limited per account, not by the residents' comment limit.
    action = "official_answer" if services.speaks_officially(request.user) else "comment"
    return _participate(request, pk, action, do)


@require_POST
def questionnaire_answer(request, pk):
    def do(consultation):
        answers = {}
        for q in consultation.questions.all():
            raw = request.POST.get(f"q{q.pk}", "")
            with contextlib.suppress(ValueError):
                answers[q.pk] = int(raw)
        services.questionnaire_answer(actor=request.user, consultation=consultation, answers=answers)
        messages.success(request, _("Thank you for answering the questionnaire."))

    return _participate(request, pk, "answer", do)


@require_POST
def rating_add(request, pk):
    def do(consultation):
        form = RatingForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("Choose one of the ratings."))
        services.rating_add(actor=request.user, consultation=consultation, value=form.cleaned_data["value"])
        messages.success(request, _("Thank you for your rating."))

    return _participate(request, pk, "rate", do)


def _public_comment(pk):
    from .models import Comment

    try:
        return Comment.objects.select_related("consultation").get(
            pk=pk, status=Comment.Status.VISIBLE, consultation__status=OnlineConsultation.Status.PUBLISHED)
    except Comment.DoesNotExist:
        raise Http404


@require_POST
def support_add(request, pk):
    comment = _public_comment(pk)

    def do(consultation):
        if not services.support_add(actor=request.user, comment=comment):
            messages.info(request, _("You already support this suggestion."))

    return _participate(request, comment.consultation_id, "support", do)


@require_POST
def report_add(request, pk):
    comment = _public_comment(pk)

    def do(consultation):
        form = ReportForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.report_add(actor=request.user, comment=comment, reason=reason)
        messages.success(request, _("Thank you. A moderator will look at this comment."))

    return _participate(request, comment.consultation_id, "report", do)


# --- Public: topics of the closed loop (公示) -----------------------------------------------------


def _topic_context(request, topic):
    from .models import TopicRating

    user = request.user
    return {
        "t": topic,
        "sessions": list(topic.sessions.all()),
        "outcome": getattr(topic, "outcome", None),
        "closed": topic.status in selectors.CLOSED_TOPIC_STATUSES,
        "ratings": selectors.topic_rating_summary(topic),
        "rating_form": RatingForm(),
        "rated": user.is_authenticated and TopicRating.objects.filter(topic=topic, user=user).exists(),
    }


@require_GET
def topic_detail(request, pk):
    topic = selectors.public_topic(pk)
    return render(request, "hall/topic.html", _topic_context(request, topic))


@require_POST
def topic_rate(request, pk):
    topic = selectors.public_topic(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('hall:topic', args=[topic.pk])}")
    form = RatingForm(request.POST)
    try:
        abuse.check_rate(request, "rate")
        if not form.is_valid():
            raise DomainError(_("Choose one of the ratings."))
        services.topic_rating_add(actor=request.user, topic=topic, value=form.cleaned_data["value"])
        messages.success(request, _("Thank you for your rating."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "hall/topic.html", _topic_context(request, topic), status=exc.status_code)
    return redirect("hall:topic", pk=topic.pk)


# --- Public: live sessions ---------------------------------------------------------------------


def _live_context(request, session, form=None):
    return {"s": session, "questions": selectors.shown_live_questions(session),
            "form": form or LiveQuestionForm(), "open": session.accepts_questions(), "now": selectors.now()}


@never_cache
def live_detail(request, pk):
    session = selectors.public_live_session(pk)
    if request.method == "POST":
        form = LiveQuestionForm(request.POST)
        if _rate_limited(request, "question", form):
            return render(request, "hall/live.html", _live_context(request, session, form), status=429)
        try:
            if form.is_valid():
                services.live_question_add(session=session, body=form.cleaned_data["body"], asker=request.user,
                                           asker_label=form.cleaned_data["name"])
                messages.success(request, _("Your question has been sent. It appears here once it is taken up."))
                return redirect("hall:live", pk=session.pk)
        except DomainError as exc:
            add_form_error(form, exc)
        form.fresh_challenge()
        return render(request, "hall/live.html", _live_context(request, session, form))
    services.record_view(LiveSession, session.pk)
    return render(request, "hall/live.html", _live_context(request, session))


# --- Resident accounts -------------------------------------------------------------------------


@never_cache
def signup(request):
    communities = selectors.all_communities()
    if request.method == "POST":
        form = SignupForm(request.POST, communities=communities)
        if _rate_limited(request, "signup", form):
            return render(request, "hall/signup.html", {"form": form}, status=429)
        try:
            if form.is_valid():
                data = form.cleaned_data
                user = services.resident_signup(username=data["username"], password=data["password"],
                                                display_name=data["display_name"], unit=data["unit"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! You can now take part in online consultations."))
                return redirect("hall:my")
        except DomainError as exc:
            add_form_error(form, exc)
        form.fresh_challenge()
        return render(request, "hall/signup.html", {"form": form})
    return render(request, "hall/signup.html", {"form": SignupForm(communities=communities)})


@login_required
@never_cache
def my_submissions(request):
    return render(request, "hall/my.html", {"submissions": selectors.submissions_of(request.user)[:50]})


@require_GET
def live_questions(request, pk):
    """The questions list alone, refreshed by htmx every 20 seconds on the live page."""
    session = selectors.public_live_session(pk)
    return render(request, "hall/_live_questions.html", {"questions": selectors.shown_live_questions(session)})


def home_panel(request):
    """On the portal's home page: what waits in the hall for a secretary or clerk."""
    if not has_role(request.user, services.STAFF_ROLES):
        return None
    return {"template": "hall/_home_panel.html",
            "n_new": selectors.submission_queue(user=request.user).count(),
            "n_moderation": selectors.moderation_queue(user=request.user).count(), "order": 40}


# --- Staff (/hall/manage/) ---------------------------------------------------------------------


def staff_required(view=None, *, record: bool = False):
    """Signed in and a secretary or office clerk somewhere; records are then scoped per unit.
    The refusal policy: a signed-in user without a staff role gets the 403 "not allowed" page on
    a staff page (a queue, a "new …" form); on a record page (`record=True`) every record is
    outside their scope, so it is the 404 that any record outside the scope is."""
    if view is None:
        return lambda v: staff_required(v, record=record)

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, services.STAFF_ROLES):
            if record:
                raise Http404
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
@never_cache
@require_GET
def manage_queue(request):
    status = request.GET.get("status", Submission.Status.NEW)
    if status not in Submission.Status.values:
        status = Submission.Status.NEW
    page = Paginator(selectors.submission_queue(user=request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "hall/manage/queue.html", {
        "page": page, "status": status, "statuses": Submission.Status.choices,
        "n_moderation": selectors.moderation_queue(user=request.user).count(),
    })


@staff_required(record=True)
@never_cache
def manage_submission(request, pk):
    submission = selectors.submission_for_staff(user=request.user, pk=pk)
    form = ScreenForm(request.POST or None, initial={"title": submission.title, "description": submission.body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "accept":
            ok, _result = form_action(request, form, lambda: services.submission_accept(
                actor=request.user, submission=submission, title=data["title"], description=data["description"],
                reply=data["reply"], internal_note=data["internal_note"]),
                success=_("The submission is now a consultation topic."))
        else:
            ok, _result = form_action(request, form, lambda: services.submission_decline(
                actor=request.user, submission=submission, reply=data["reply"], internal_note=data["internal_note"]),
                success=_("The resident will see your reply."))
        if ok:
            return redirect("hall:manage_submission", pk=submission.pk)
    from portal.audit import timeline_for

    from .similar import similar_submissions

    similar = similar_submissions(user=request.user, title=submission.title, text=submission.body,
                                  exclude_pk=submission.pk)
    return render(request, "hall/manage/submission.html", {
        "s": submission, "form": form, "timeline": timeline_for(submission)[:20], "similar": similar},
        status=400 if form.errors else 200)


@staff_required(record=True)
@never_cache
@require_GET
def manage_photo(request, pk, photo):
    submission = selectors.submission_for_staff(user=request.user, pk=pk)
    found = next((p for p in submission.photos.all() if p.pk == photo), None)
    if found is None:
        raise Http404
    return _photo_response(found)


@staff_required
@never_cache
@require_GET
def manage_moderation(request):
    page = Paginator(selectors.moderation_queue(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "hall/manage/moderation.html", {"page": page})


@staff_required(record=True)
@require_POST
def manage_comment(request, pk):
    comment = selectors.comment_for_staff(user=request.user, pk=pk)
    button_action(request, lambda: services.comment_moderate(
        actor=request.user, comment=comment, visible=request.POST.get("visible") == "1"),
        success=_("Moderation saved."))
    return redirect("hall:manage_moderation")


@staff_required
@never_cache
def manage_consultations(request):
    units = units_visible_to(request.user, roles=services.STAFF_ROLES).filter(is_active=True)
    form = ConsultationForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, consultation = form_action(request, form, lambda: services.consultation_create(
            actor=request.user, unit=data["unit"], title=data["title"], background=data["background"],
            opens_at=data["opens_at"], closes_at=data["closes_at"], questions=data["questions"]),
            success=_("Draft saved. Publish it when it is ready."))
        if ok:
            return redirect("hall:manage_consultation", pk=consultation.pk)
    rows = selectors.consultations_for_staff(user=request.user).order_by("-opens_at")[:50]
    return render(request, "hall/manage/consultations.html", {"rows": rows, "form": form,
                                                              "sessions": selectors.live_sessions_for_staff(
                                                                  user=request.user).order_by("-starts_at")[:20]},
                  status=400 if form.errors else 200)


@staff_required(record=True)
@never_cache
def manage_consultation(request, pk):
    consultation = selectors.consultation_for_staff(user=request.user, pk=pk)
    result_form = ResultForm(request.POST or None, initial={"result": consultation.result,
                                                            "version": consultation.version})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.consultation_publish(actor=request.user, consultation=consultation,
                                              version=request.POST.get("version"))
                messages.success(request, _("Published."))
                return redirect("hall:manage_consultation", pk=consultation.pk)
            if result_form.is_valid():
                services.consultation_set_result(actor=request.user, consultation=consultation,
                                                 result=result_form.cleaned_data["result"],
                                                 version=result_form.cleaned_data["version"])
                messages.success(request, _("Result published."))
                return redirect("hall:manage_consultation", pk=consultation.pk)
        except DomainError as exc:
            refuse(request, exc)
            if request.POST.get("action") == "publish":  # a button: back to the record, with the reason
                return redirect("hall:manage_consultation", pk=consultation.pk)
    return render(request, "hall/manage/consultation.html", {
        "c": consultation, "result_form": result_form, "ratings": selectors.rating_summary(consultation),
        "n_comments": consultation.comments.count(), "n_responses": consultation.responses.count(),
        "suggestions": selectors.resident_suggestions_for_staff(consultation=consultation),
        "adoption_form": AdoptionForm()})


@staff_required(record=True)
@require_POST
def manage_comment_adoption(request, pk):
    """Record whether a resident's suggestion was adopted (and implemented), with a reply."""
    comment = selectors.comment_for_staff(user=request.user, pk=pk)
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    else:
        button_action(request, lambda: services.comment_set_adoption(
            actor=request.user, comment=comment, adoption=form.cleaned_data["adoption"],
            reply=form.cleaned_data["reply"], adopted_on=form.cleaned_data["adopted_on"]),
            success=_("Adoption saved."))
    return redirect(reverse("hall:manage_consultation", args=[comment.consultation_id]) + f"#s-{comment.pk}")


@staff_required
@never_cache
def manage_live_new(request):
    units = units_visible_to(request.user, roles=services.STAFF_ROLES).filter(is_active=True)
    form = LiveSessionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, session = form_action(request, form, lambda: services.live_session_create(
            actor=request.user, unit=data["unit"], title=data["title"], starts_at=data["starts_at"],
            ends_at=data["ends_at"], stream_url=data["stream_url"], agenda=data["agenda"]),
            success=_("Draft saved. Publish it when it is ready."))
        if ok:
            return redirect("hall:manage_live", pk=session.pk)
    return render(request, "hall/manage/live_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_required(record=True)
@never_cache
def manage_live(request, pk):
    session = selectors.live_session_for_staff(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.live_session_publish(actor=request.user, session=session, version=request.POST.get("version"))
                messages.success(request, _("Published."))
            else:
                question = selectors.live_question_for_staff(user=request.user, pk=request.POST.get("question"))
                form = LiveAnswerForm(request.POST)
                if form.is_valid():
                    services.live_question_answer(actor=request.user, question=question,
                                                  answer=form.cleaned_data["answer"], show=form.cleaned_data["show"])
                    messages.success(request, _("Saved."))
        except DomainError as exc:
            refuse(request, exc)
        return redirect("hall:manage_live", pk=session.pk)
    return render(request, "hall/manage/live.html", {"s": session, "questions": session.questions.all()})
