"""HTML forms: parse and validate input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from members.models import Member
from organizations.models import Body, OrgUnit, Role, UnitKind
from portal.forms import BootstrapFormMixin, ChineseDateField

from .models import (
    AdoptionLevel,
    ContactMethod,
    NotRegisteredConversion,
    OpinionItem,
    OpinionStatus,
    Proposal,
    ProposalCategory,
    ProposalKind,
    ProposalStatus,
    ReplyClass,
    Satisfaction,
    SupervisionKind,
)


class ProposalForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalKind.choices)
    body = forms.ModelChoiceField(label=_("Sector, committee or party"), queryset=Body.objects.none(), required=False,
                                  help_text=_("For proposals of a sector, a special committee or a party."))
    category = forms.ChoiceField(label=_("Category"), choices=ProposalCategory.choices)
    case = forms.CharField(label=_("Case (案由)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    analysis = forms.CharField(label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                               max_length=20000)
    suggestions = forms.CharField(label=_("Suggestions"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000,
                                  help_text=_("One suggestion per line; they are numbered in this order."))
    cosigners = forms.ModelMultipleChoiceField(label=_("Co-signers"), queryset=Member.objects.none(), required=False,
                                               help_text=_("Each co-signer must confirm before you can submit."))
    publish_wish = forms.BooleanField(
        label=_("I agree that this proposal and its replies are published on the public site (是否公开)"),
        required=False, initial=True,
        help_text=_("The CPPCC office decides after registration; without your agreement it is never published."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(unit_id=member.org_unit_id, is_active=True).order_by(
            "kind", "name")
        self.fields["cosigners"].queryset = Member.objects.filter(org_unit_id=member.org_unit_id, is_active=True
                                                                  ).exclude(pk=member.pk).order_by("name")
        self.fields["cosigners"].widget.attrs["size"] = 6

    def clean_suggestions(self):
        lines = [line.strip() for line in self.cleaned_data["suggestions"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("Give at least one suggestion."))
        return lines


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.org_unit.name}）"


class PaperEntryForm(ProposalForm):
    """代录: the proposer among the members of the staff's CPPCC units, and the date on the paper."""

    proposer = MemberChoiceField(label=_("Proposer"), queryset=Member.objects.none())
    submitted_on = ChineseDateField(label=_("Date on the paper"),
                                    help_text=_("The day the member handed it in (e.g. at the plenary)."))
    field_order = ["proposer", "submitted_on"]

    def __init__(self, *args, members, **kwargs):
        super(ProposalForm, self).__init__(*args, **kwargs)  # the Bootstrap mixin, not ProposalForm's one-member setup
        self.fields["proposer"].queryset = members
        self.fields["cosigners"].queryset = members
        self.fields["cosigners"].label_from_instance = self.fields["proposer"].label_from_instance
        self.fields["cosigners"].help_text = _("Members who signed the paper (same CPPCC unit as the proposer).")
        self.fields["cosigners"].widget.attrs["size"] = 6
        self.fields["body"].queryset = Body.objects.filter(
            unit_id__in=members.values("org_unit_id"), is_active=True).select_related("unit").order_by("kind", "name")
        del self.fields["version"]


class PastHandlingForm(PaperEntryForm):
    """补录 of a past proposal: the paper entry plus, when the proposal was already handled, its
    register, the lead unit of the assignment sheet with its reply letter, and the closing — every
    step optional from the registration on, each with its own date (held to their order)."""

    registered_on = ChineseDateField(label=_("Registered on"), required=False,
                                     help_text=_("Leave the handling empty for a proposal not registered yet."))
    term = forms.CharField(label=_("term"), max_length=20, required=False, help_text=_("e.g. 十五届"))
    session = forms.CharField(label=_("session"), max_length=20, required=False, help_text=_("e.g. 三次会议"))
    is_key = forms.BooleanField(label=_("Key proposal (重点提案)"), required=False)
    key_leader_name = forms.CharField(label=_("Supervising leader"), max_length=100, required=False)
    assigned_on = ChineseDateField(label=_("Assigned on"), required=False)
    main_unit = forms.ModelChoiceField(label=_("Lead unit (主办)"), queryset=OrgUnit.objects.none(), required=False)
    due_on = ChineseDateField(label=_("reply due"), required=False)
    replied_on = ChineseDateField(label=_("Replied on"), required=False)
    reply_class = forms.ChoiceField(label=_("result class"), choices=[("", "—"), *ReplyClass.choices], required=False)
    reply_text = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 max_length=20000)
    actions = forms.CharField(label=_("per-suggestion actions"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, help_text=_("One line per suggestion, in order; an empty line for a "
                                                          "suggestion without action."))
    document_number = forms.CharField(label=_("document number"), max_length=60, required=False)
    closed_on = ChineseDateField(label=_("Closed on"), required=False)
    attitude = forms.ChoiceField(label=_("Satisfaction with the attitude"), choices=[("", "—"), *Satisfaction.choices],
                                 required=False)
    result = forms.ChoiceField(label=_("Satisfaction with the result"), choices=[("", "—"), *Satisfaction.choices],
                               required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, members=members, **kwargs)
        self.fields["main_unit"].queryset = OrgUnit.objects.filter(
            kind=UnitKind.DEPARTMENT, is_active=True, parent_id__in=members.values("org_unit_id")).order_by("name")

    def back_entry(self):
        """The BackProposal of the cleaned data (a registration date makes it a back-entry)."""
        from .backentry import BackAssignment, BackProposal

        d = self.cleaned_data
        assignments = []
        if d["main_unit"] is not None:
            assignments.append(BackAssignment(
                unit=d["main_unit"], due_on=d["due_on"], replied_on=d["replied_on"], reply_class=d["reply_class"],
                reply_text=d["reply_text"], actions=d["actions"].splitlines() if d["actions"].strip() else [],
                document_number=d["document_number"]))
        return BackProposal(
            member=d["proposer"], submitted_on=d["submitted_on"], title=d["title"], case=d["case"],
            suggestions=d["suggestions"], analysis=d["analysis"], category=d["category"], kind=d["kind"],
            cosigners=list(d["cosigners"]), registered_on=d["registered_on"], term=d["term"], session=d["session"],
            is_key=d["is_key"], key_leader_name=d["key_leader_name"], assigned_on=d["assigned_on"],
            assignments=assignments, closed_on=d["closed_on"], attitude=d["attitude"], result=d["result"])


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


PUBLICATION_CHOICES = [("", _("Decide later")), ("public", _("Public")), ("private", _("Not public"))]


class RegisterForm(NoteForm):
    registered_on = ChineseDateField(label=_("Registered on"), required=False, help_text=_("Empty means today."))
    publication = forms.ChoiceField(label=_("Publish on the public site (是否公开)"), choices=PUBLICATION_CHOICES,
                                    required=False)
    show_proposer = forms.BooleanField(label=_("Show the proposer's name when published"), required=False,
                                       initial=True)


class PublicationForm(BootstrapFormMixin, forms.Form):
    """The office's 是否公开 decision on a registered proposal."""

    publication = forms.ChoiceField(label=_("Publish on the public site (是否公开)"),
                                    choices=PUBLICATION_CHOICES[1:])
    show_proposer = forms.BooleanField(label=_("Show the proposer's name when published"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EventDateForm(BootstrapFormMixin, forms.Form):
    """The optional date of a one-button step (submitting on paper, formal assignment)."""

    on = ChineseDateField(label=_("Date"), required=False, help_text=_("Empty means today."))


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for not registering"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)
    conversion = forms.ChoiceField(label=_("Conversion"), choices=NotRegisteredConversion.choices, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MergeForm(BootstrapFormMixin, forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Proposal.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.filter(org_unit_id=proposal.org_unit_id, number__isnull=False)
            .exclude(status__in=[ProposalStatus.MERGED, ProposalStatus.WITHDRAWN]).order_by("-id"))

def _departments(proposal):
    return OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, path__startswith=proposal.org_path,
                                  is_active=True).order_by("sort_order", "name")


class PreassignForm(BootstrapFormMixin, forms.Form):
    main_unit = forms.ModelChoiceField(label=_("Lead unit (主办)"), queryset=OrgUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(label=_("Co-handlers (协办)"), queryset=OrgUnit.objects.none(),
                                              required=False)
    due_on = ChineseDateField(label=_("Reply due"), required=False,
                              help_text=_("Leave empty for the unit's default (three months)."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_unit"].queryset = _departments(proposal)
        self.fields["co_units"].queryset = _departments(proposal)


class ContestForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ContactForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ContactMethod.choices)
    contacted_on = ChineseDateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply_class = forms.ChoiceField(label=_("Result class"), choices=ReplyClass.choices)
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    letter = forms.FileField(label=_("Signed reply letter"), required=False,
                             help_text=_("PDF, Word or image, at most 10 MB."))
    follow_up_on = ChineseDateField(label=_("Follow-up review date"), required=False,
                                    help_text=_("Required for class B."))
    replied_on = ChineseDateField(label=_("Date of the reply letter"), required=False,
                                  help_text=_("Empty means today."))

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        for i, suggestion in enumerate(proposal.suggestions, start=1):
            self.fields[f"line_{i}"] = forms.CharField(
                label=_("Action on suggestion %(n)d: %(text)s") % {"n": i, "text": suggestion[:60]},
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False, max_length=2000)

    def lines(self):
        return [self.cleaned_data.get(name, "") for name in self.fields if name.startswith("line_")]


class RateForm(BootstrapFormMixin, forms.Form):
    attitude = forms.ChoiceField(label=_("Handling attitude"), choices=Satisfaction.choices,
                                 widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("Handling result"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("attitude", "result"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class MarkKeyForm(BootstrapFormMixin, forms.Form):
    supervising_leader = forms.ModelChoiceField(label=_("Supervising leader"), queryset=None)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = proposal.org_unit.ancestor_ids
        self.fields["supervising_leader"].queryset = get_user_model().objects.filter(
            role_assignments__role=Role.LEADER, role_assignments__is_active=True,
            role_assignments__unit_id__in=ancestors).distinct().order_by("username")


class SupervisionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionKind.choices)
    held_on = ChineseDateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FollowUpForm(BootstrapFormMixin, forms.Form):
    reply = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Follow-up result"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, image or text, at most 10 MB."))


# ── 社情民意 ─────────────────────────────────────────────────────────────────────────────


class OpinionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    source_point = forms.CharField(label=_("Liaison point / source"), max_length=100, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False,
                                  help_text=_("For information officers: the unit the item comes from."))
    submitted_on = ChineseDateField(label=_("Submitted on"), required=False, help_text=_("Empty means today."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class OpinionRejectForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportForm(BootstrapFormMixin, forms.Form):
    reported_to = forms.CharField(label=_("Reported to"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AdoptForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=AdoptionLevel.choices)
    adopted_on = ChineseDateField(label=_("Date"))
    by = forms.CharField(label=_("Adopted by"), max_length=100, required=False)


class InstructionForm(BootstrapFormMixin, forms.Form):
    leader = forms.CharField(label=_("Leader"), max_length=100)
    given_on = ChineseDateField(label=_("Date"))
    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    handling = forms.CharField(label=_("Handling and tracking"), widget=forms.Textarea(attrs={"rows": 2}),
                               required=False, max_length=5000)


class CompileForm(BootstrapFormMixin, forms.Form):
    items = forms.ModelMultipleChoiceField(label=_("Items"), queryset=OpinionItem.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    published_on = ChineseDateField(label=_("Published"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = OpinionItem.objects.filter(org_unit=unit, status=OpinionStatus.SUBMITTED)


# ── Evaluation ───────────────────────────────────────────────────────────────────────────


class RoundForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    top_n = forms.IntegerField(label=_("Praised (top N)"), min_value=0, max_value=100, initial=5)
    bottom_n = forms.IntegerField(label=_("To rectify (bottom N)"), min_value=0, max_value=100, initial=2)
    member_weight = forms.IntegerField(label=_("Weight of member scores (%)"), min_value=0, max_value=100, initial=70)


class UnitScoreForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=OrgUnit.objects.none())
    attention = forms.IntegerField(label=_("Attention"), min_value=0, max_value=10)
    communication = forms.IntegerField(label=_("Communication"), min_value=0, max_value=10)
    adoption = forms.IntegerField(label=_("Adoption"), min_value=0, max_value=10)
    results = forms.IntegerField(label=_("Results"), min_value=0, max_value=10)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, path__startswith=unit.path)


class ProposalScoreForm(BootstrapFormMixin, forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    accuracy = forms.IntegerField(label=_("Accuracy"), min_value=0, max_value=10)
    foresight = forms.IntegerField(label=_("Foresight"), min_value=0, max_value=10)
    workability = forms.IntegerField(label=_("Workability"), min_value=0, max_value=10)


class RectifyForm(BootstrapFormMixin, forms.Form):
    result = forms.IntegerField(widget=forms.HiddenInput)
    report = forms.CharField(label=_("Rectification report"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=20000)
