"""Forms of the consultation pages. They parse input; the services hold the rules."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import BootstrapFormMixin, ChineseDateField

from .models import (
    MEETING_STEPS,
    Attendance,
    Channel,
    Ending,
    ParticipantKind,
    RaterKind,
    ResearchKind,
    Route,
    SessionForm,
    Stage,
    TopicStatus,
)

ROWS3 = forms.Textarea(attrs={"rows": 3})


class TopicForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=ROWS3, required=False,
                                  help_text=_("The problem, where, how many people it concerns."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.CharField(label=_("Category"), max_length=40, required=False,
                               help_text=_("e.g. 民生, 城市管理, 热点, 难点"))
    source_ref = forms.CharField(label=_("Source reference"), max_length=100, required=False,
                                 help_text=_("e.g. the letter, hotline or 社情民意 number"))
    proposer_name = forms.CharField(label=_("Raised by"), max_length=100, required=False,
                                    help_text=_("Internal; never published."))
    planned_month = ChineseDateField(label=_("Planned month (annual plan)"), required=False)
    raised_on = ChineseDateField(label=_("Raised on"), required=False,
                                 help_text=_("The day the topic was raised; empty means today."))
    internal_note = forms.CharField(label=_("Internal note"), widget=ROWS3, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TopicCreateForm(TopicForm):
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=None,
                                      error_messages={"invalid_choice": _("Choose a unit within your scope.")})
    field_order = ["org_unit", "title"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


class TopicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *TopicStatus.choices],
                               required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices],
                                required=False)
    overdue = forms.BooleanField(label=_("Overdue suggestions only"), required=False)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=ROWS3, max_length=2000)


class ApproveForm(BootstrapFormMixin, forms.Form):
    publish = forms.BooleanField(label=_("Publish the topic (公示)"), required=False, initial=True)
    planned_month = ChineseDateField(label=_("Planned month (annual plan)"), required=False)
    approved_on = ChineseDateField(label=_("Approved on"), required=False, help_text=_("Empty means today."))


class EventDateForm(BootstrapFormMixin, forms.Form):
    """The one optional date of a one-button step (closing a topic, accepting a suggestion)."""

    on = ChineseDateField(label=_("Date"), required=False, help_text=_("Empty means today."))


class ResearchForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResearchKind.choices)
    done_on = ChineseDateField(label=_("Date"))
    team = forms.CharField(label=_("Who went"), max_length=300, required=False)
    members = forms.ModelMultipleChoiceField(label=_("Members who took part"), queryset=None, required=False)
    respondents = forms.IntegerField(label=_("People consulted"), min_value=0, max_value=1_000_000, required=False)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


class SessionPlanForm(BootstrapFormMixin, forms.Form):
    scheduled_on = ChineseDateField(label=_("Date"))
    start_time = forms.TimeField(label=_("Time"), required=False,
                                 widget=forms.TimeInput(format="%H:%M"),
                                 help_text=_("Hours and minutes, e.g. 14:30"))
    form = forms.ChoiceField(label=_("Form"), choices=SessionForm.choices)
    venue = forms.CharField(label=_("Venue"), max_length=200,
                            help_text=_("e.g. 社区协商议事厅, 委员工作室, 委员之家, or the site itself"))
    agenda = forms.CharField(label=_("Agenda"), widget=ROWS3, required=False)


class InviteForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ParticipantKind.choices)
    member = forms.ModelChoiceField(label=_("Member"), queryset=None, required=False,
                                    error_messages={"invalid_choice": _("Choose a member of this unit.")})
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class HoldForm(BootstrapFormMixin, forms.Form):
    """Attendance per invited participant, built from the session's participant list."""

    steps_done = forms.MultipleChoiceField(label=_("Meeting steps done"), choices=MEETING_STEPS, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    residents_count = forms.IntegerField(label=_("Residents present (person-times)"), min_value=0,
                                         max_value=1_000_000, required=False)
    online_views = forms.IntegerField(label=_("Online views"), min_value=0, max_value=100_000_000, required=False)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=100_000, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=100_000, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=100_000, required=False)
    summary = forms.CharField(label=_("What happened"), widget=ROWS3, required=False)
    held_on = ChineseDateField(label=_("Held on"), required=False,
                               help_text=_("The day the session was held; empty means the planned date."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ATTENDANCE_CHOICES = [(Attendance.ATTENDED, Attendance.ATTENDED.label), (Attendance.LEAVE, Attendance.LEAVE.label),
                          (Attendance.ABSENT, Attendance.ABSENT.label)]

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for p in self.participants:
            initial = p.attendance if p.attendance in {Attendance.LEAVE, Attendance.ABSENT} else Attendance.ATTENDED
            self.fields[f"p_{p.pk}"] = forms.ChoiceField(label=f"{p.name} · {p.get_kind_display()}",
                                                         choices=self.ATTENDANCE_CHOICES, initial=initial)
            self.fields[f"p_{p.pk}"].widget.attrs["class"] = "form-select"
        self.order_fields([*(f"p_{p.pk}" for p in self.participants), "steps_done"])
        self.fields["steps_done"].widget.attrs["class"] = ""

    def attendance(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p_{p.pk}"] for p in self.participants}


class OutcomeForm(BootstrapFormMixin, forms.Form):
    consensus = forms.TypedChoiceField(label=_("Consensus reached?"), coerce=lambda v: v == "1",
                                       choices=[("1", _("Yes: the Party organisation handles it and reports back")),
                                                ("0", _("No: opinions go to the Party organisation for reference"))])
    summary = forms.CharField(label=_("Result (public)"), widget=ROWS3)
    minutes = forms.CharField(label=_("Minutes (协商纪要)"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    recorded_on = ChineseDateField(label=_("Outcome date"), required=False, help_text=_("Empty means today."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SuggestionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Suggestion"), widget=ROWS3, max_length=4000)
    route = forms.ChoiceField(label=_("Responsible party"), choices=Route.choices)
    handling_unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=None, required=False,
                                           error_messages={"invalid_choice": _("Choose a unit from the list.")})
    handler_name = forms.CharField(label=_("Handled by"), max_length=100, required=False,
                                   help_text=_("e.g. the property company's name"))
    deadline = ChineseDateField(label=_("Handling deadline"), required=False)
    routed_on = ChineseDateField(label=_("Routed on"), required=False, help_text=_("Empty means today."))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_unit"].queryset = units


class ProgressForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Progress"), widget=ROWS3, max_length=2000)


class FeedbackForm(BootstrapFormMixin, forms.Form):
    ending = forms.ChoiceField(label=_("Ending"), choices=Ending.choices)
    feedback = forms.CharField(label=_("Feedback"), widget=ROWS3, max_length=4000)
    closed_on = ChineseDateField(label=_("Feedback given on"), required=False, help_text=_("Empty means today."))


class InstructionForm(BootstrapFormMixin, forms.Form):
    leader = forms.CharField(label=_("Leader"), max_length=100)
    given_on = ChineseDateField(label=_("Date"), required=False, help_text=_("Empty means today."))
    text = forms.CharField(label=_("Instruction"), widget=ROWS3, max_length=4000)


class FollowUpForm(BootstrapFormMixin, forms.Form):
    done_on = ChineseDateField(label=_("Date"), required=False, help_text=_("Empty means today."))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    reopen = forms.BooleanField(label=_("Problems remain: reopen the topic"), required=False)


class EvaluationForm(BootstrapFormMixin, forms.Form):
    rater_kind = forms.ChoiceField(label=_("Rated by"), choices=RaterKind.choices)
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)])
    rater_name = forms.CharField(label=_("Rater"), max_length=100, required=False)
    comment = forms.CharField(label=_("Comment"), widget=ROWS3, required=False)


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint, JPEG, PNG or text; at most "
                                                        "10 MB."))
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class LeaveForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for leave"), max_length=200)


class TemplateUploadForm(BootstrapFormMixin, forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=None,
                                      error_messages={"invalid_choice": _("Choose a unit within your scope.")})
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    file = forms.FileField(label=_("Word template (.docx)"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


# ------------------------------------------------------------------- one page for a session

MAX_PASTED_LINES = 200
SEPARATORS = re.compile(r"\s*[,，\t;；、]\s*")


class SessionRecordForm(BootstrapFormMixin, forms.Form):
    """The whole session on one page. Parses; `services.session_record` decides."""

    scheduled_on = ChineseDateField(label=_("Date"))
    start_time = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(format="%H:%M"),
                                 help_text=_("Hours and minutes, e.g. 14:30"))
    form = forms.ChoiceField(label=_("Form"), choices=SessionForm.choices)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose members of this unit from the list."),
                        "invalid_pk_value": _("Choose members of this unit from the list.")})
    others = forms.CharField(
        label=_("Residents and others, one per line: name, unit"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Without a unit, the person is from %(unit)s."))
    others_kind = forms.ChoiceField(label=_("They take part as"),
                                    choices=[c for c in ParticipantKind.choices if c[0] != ParticipantKind.MEMBER],
                                    initial=ParticipantKind.RESIDENT)
    hold = forms.BooleanField(label=_("The session took place: record it as held"), required=False)
    steps_done = forms.MultipleChoiceField(label=_("Meeting steps done"), choices=MEETING_STEPS, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    residents_count = forms.IntegerField(label=_("Residents present (person-times)"), min_value=0,
                                         max_value=1_000_000, required=False)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=100_000, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=100_000, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=100_000, required=False)
    summary = forms.CharField(label=_("What happened"), widget=ROWS3, required=False)
    consensus = forms.TypedChoiceField(label=_("Consensus reached?"), coerce=lambda v: v == "1", initial="1",
                                       choices=[("1", _("Yes")), ("0", _("No"))], widget=forms.RadioSelect,
                                       required=False, empty_value=True)
    outcome_summary = forms.CharField(label=_("Result (public)"), widget=ROWS3, required=False)
    minutes = forms.CharField(label=_("Minutes (协商纪要)"), widget=forms.Textarea(attrs={"rows": 6}),
                              required=False,
                              help_text=_("Left empty, the minutes are drafted from this record; edit them later."))
    correction_reason = forms.CharField(label=_("Reason for the correction"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ATTENDANCE_CHOICES = [(Attendance.ATTENDED, _("Present")), (Attendance.LEAVE, _("Leave")),
                          (Attendance.ABSENT, _("Absent"))]

    def __init__(self, *args, members=None, participants=(), default_unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_unit = default_unit
        self.fields["members"].queryset = members
        self.fields["others"].help_text = self.fields["others"].help_text % {"unit": default_unit}
        self.participants = list(participants)
        for p in self.participants:
            if p.attendance in {Attendance.LEAVE, Attendance.ABSENT}:
                initial = p.attendance
            else:  # confirmed or attended: present; invited without an answer: present unless changed
                initial = Attendance.ATTENDED
            self.fields[f"p_{p.pk}"] = forms.ChoiceField(label=p.name, choices=self.ATTENDANCE_CHOICES,
                                                         initial=initial,
                                                         widget=forms.RadioSelect(attrs={"class": "btn-check"}))
        for name in ("members", "steps_done", "consensus"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def attendance_fields(self):
        return [(p, self[f"p_{p.pk}"]) for p in self.participants]

    def attendance(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p_{p.pk}"] for p in self.participants if f"p_{p.pk}" in self.cleaned_data}

    def clean_others(self):
        """One person per line, "name, unit". Refused with the line number: markup, a name too
        long, the same person twice, more than MAX_PASTED_LINES lines, a name shared by two
        members (tick the right one instead). A name of exactly one member invites that member."""
        text = self.cleaned_data.get("others") or ""
        lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) > MAX_PASTED_LINES:
            raise forms.ValidationError(
                _("%(n)d lines pasted; at most %(max)d people can be invited at once.")
                % {"n": len(lines), "max": MAX_PASTED_LINES})
        by_name: dict[str, list] = {}
        if lines:
            for m in self.fields["members"].queryset:
                by_name.setdefault(m.name, []).append(m)
        people, matched, seen, errors = [], [], {}, []
        for number, line in lines:
            parts = SEPARATORS.split(line, maxsplit=1)
            name = parts[0].strip()
            unit = (parts[1].strip() if len(parts) > 1 else "") or self.default_unit
            if not name:
                errors.append(_("Line %(n)d: the name is missing.") % {"n": number})
                continue
            if set("<>{}") & set(name + unit):
                errors.append(_("Line %(n)d: names cannot contain < > { or }.") % {"n": number})
                continue
            if len(name) > 60 or len(unit) > 100:
                errors.append(_("Line %(n)d: the name or unit is too long.") % {"n": number})
                continue
            key = (name, unit)
            if key in seen:
                errors.append(_("Line %(n)d repeats line %(first)d (%(name)s).")
                              % {"n": number, "first": seen[key], "name": name})
                continue
            seen[key] = number
            same = by_name.get(name, [])
            if len(same) > 1:
                errors.append(_("Line %(n)d: %(name)s matches %(count)d members; tick the right one in the member "
                                "list instead.") % {"n": number, "name": name, "count": len(same)})
                continue
            if len(same) == 1:
                matched.append(same[0])
                continue
            people.append((name, unit))
        if errors:
            raise forms.ValidationError(errors[:10] + ([_("… and %(n)d more.") % {"n": len(errors) - 10}]
                                                       if len(errors) > 10 else []))
        self.matched_members = matched
        return people

    def clean(self):
        data = super().clean()
        ticked = list(data.get("members") or [])
        for m in getattr(self, "matched_members", []):
            if m in ticked:
                self.add_error("others", _("%(name)s is ticked in the member list and pasted again.")
                               % {"name": m.name})
            else:
                ticked.append(m)
        data["all_members"] = ticked
        return data


class SuggestionRowForm(forms.Form):
    """One repeatable row of the outcome's suggestions. A row left without text is skipped."""

    text = forms.CharField(label=_("Suggestion"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    route = forms.ChoiceField(label=_("Responsible party"), choices=Route.choices, initial=Route.COMMUNITY)
    handling_unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=None, required=False,
                                           error_messages={"invalid_choice": _("Choose a unit from the list.")})
    handler_name = forms.CharField(label=_("Handled by"), max_length=100, required=False)
    deadline = ChineseDateField(label=_("Handling deadline"), required=False)

    def __init__(self, *args, units=None, default_deadline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_unit"].queryset = units
        self.fields["deadline"].initial = default_deadline  # rows added on the page get it too
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select form-select-sm" if name in {"route", "handling_unit"} \
                else "form-control form-control-sm"

    def has_content(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("text", "").strip())


SuggestionRows = forms.formset_factory(SuggestionRowForm, extra=0, max_num=50, absolute_max=50, validate_max=True)


class SignInForm(BootstrapFormMixin, forms.Form):
    """A resident's sign-in from the QR code."""

    name = forms.CharField(label=_("Your name"), max_length=60)
    phone_last4 = forms.CharField(label=_("Last four digits of your phone number"), min_length=4, max_length=4,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


# ------------------------------------------------------------------------------ back-entry (补录)

class BackEntryForm(BootstrapFormMixin, forms.Form):
    """One finished consultation on one page (补录). The suggestions come in a formset."""

    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=None,
                                      error_messages={"invalid_choice": _("Choose a unit within your scope.")})
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=ROWS3, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.CharField(label=_("Category"), max_length=40, required=False)
    raised_on = ChineseDateField(label=_("Raised on"))
    approved_on = ChineseDateField(label=_("Approved on"))
    approved_by_name = forms.CharField(label=_("Approved by"), max_length=100, required=False)
    research_done_on = ChineseDateField(label=_("Research date"))
    research_kind = forms.ChoiceField(label=_("Kind of research"), choices=ResearchKind.choices)
    research_findings = forms.CharField(label=_("Findings"), widget=ROWS3)
    held_on = ChineseDateField(label=_("Held on"))
    session_form = forms.ChoiceField(label=_("Form"), choices=SessionForm.choices, initial=SessionForm.COUNCIL)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    members_attended = forms.ModelMultipleChoiceField(label=_("Members present"), queryset=None, required=False)
    members_absent = forms.ModelMultipleChoiceField(label=_("Members invited but absent"), queryset=None,
                                                    required=False)
    residents_count = forms.IntegerField(label=_("Residents present (person-times)"), min_value=0,
                                         max_value=1_000_000, required=False)
    session_summary = forms.CharField(label=_("What happened"), widget=ROWS3, required=False)
    consensus = forms.TypedChoiceField(label=_("Consensus reached?"), coerce=lambda v: v == "1",
                                       choices=[("1", _("Yes")), ("0", _("No"))])
    outcome_recorded_on = ChineseDateField(label=_("Outcome date"), required=False,
                                           help_text=_("Empty means the day of the session."))
    outcome_summary = forms.CharField(label=_("Result (public)"), widget=ROWS3)
    minutes = forms.CharField(label=_("Minutes (协商纪要)"), widget=ROWS3, required=False)
    closed_on = ChineseDateField(label=_("Closed on"), required=False,
                                 help_text=_("Empty leaves the topic open for the remaining feedback."))
    followup_done_on = ChineseDateField(label=_("Follow-up review (回头看) on"), required=False)
    followup_findings = forms.CharField(label=_("Follow-up findings"), widget=ROWS3, required=False)

    def __init__(self, *args, units=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["members_attended"].queryset = members
        self.fields["members_absent"].queryset = members


class BackSuggestionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Suggestion"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    route = forms.ChoiceField(label=_("Responsible party"), choices=Route.choices)
    handling_unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=None, required=False,
                                           error_messages={"invalid_choice": _("Choose a unit from the list.")})
    handler_name = forms.CharField(label=_("Handled by"), max_length=100, required=False)
    routed_on = ChineseDateField(label=_("Routed on"))
    accepted_on = ChineseDateField(label=_("Accepted on"), required=False)
    ending = forms.ChoiceField(label=_("Ending"), choices=[("", _("Still being handled")), *Ending.choices],
                               required=False)
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
                               required=False)
    closed_on = ChineseDateField(label=_("Feedback given on"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_unit"].queryset = units


BackSuggestionFormSet = forms.formset_factory(BackSuggestionForm, extra=3, max_num=30, validate_max=True,
                                              absolute_max=30)


class LedgerUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Ledger file"),
                           help_text=_("Excel (.xlsx) or CSV (UTF-8 or GBK), at most 10,000 rows; use the template."))
