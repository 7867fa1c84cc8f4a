from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Body, BodyKind, OrgUnit
from portal.forms import BootstrapFormMixin, ChineseDateField
from portal.widgets import FastSelect

from . import duty
from .models import LeadType, Member, MemberLevel, PostingBasis, WorkroomKind
from .validators import validate_evidence


class MemberFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    # the filter bar shows no labels: each empty choice names what its select filters
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Body.objects.none(), required=False,
                                    widget=FastSelect, empty_label=_("All sectors"))
    committee = forms.ModelChoiceField(label=_("Special committee"), queryset=Body.objects.none(), required=False,
                                       widget=FastSelect, empty_label=_("All special committees"))
    unit = forms.ModelChoiceField(label=_("Posted to / unit"), queryset=OrgUnit.objects.none(), required=False,
                                  widget=FastSelect, empty_label=_("All units"))
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *MemberLevel.choices],
                              required=False, widget=FastSelect)

    def __init__(self, *args, units=None, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = bodies if bodies is not None else Body.objects.none()
        self.fields["sector"].queryset = bodies.filter(kind=BodyKind.SECTOR)
        self.fields["committee"].queryset = bodies.filter(kind=BodyKind.COMMITTEE)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        # the units' options as plain (id, name) rows: a model choice iterator reads them through a
        # server-side cursor (three round trips) and builds a model instance per option (~180)
        unit_field = self.fields["unit"]
        unit_field.widget.choices = [("", unit_field.empty_label),
                                     *unit_field.queryset.values_list("pk", "name")]
        listed = list(bodies)  # both selects' options from one query (validation still uses the querysets)
        for name, kind in (("sector", BodyKind.SECTOR), ("committee", BodyKind.COMMITTEE)):
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label),
                                    *((b.pk, field.label_from_instance(b)) for b in listed if b.kind == kind)]


class MemberForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("name"), max_length=60)
    id_key = forms.CharField(label=_("identity key"), max_length=40)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), ("m", _("male")), ("f", _("female"))],
                               required=False)
    level = forms.ChoiceField(label=_("level"), choices=MemberLevel.choices)
    term = forms.CharField(label=_("term"), max_length=40, required=False)
    sector = forms.ModelChoiceField(label=_("sector"), queryset=Body.objects.none(), required=False)
    committees = forms.ModelMultipleChoiceField(label=_("special committees"), queryset=Body.objects.none(),
                                                required=False)
    party = forms.CharField(label=_("party affiliation"), max_length=40, required=False)
    work_unit = forms.CharField(label=_("work unit"), max_length=100, required=False)
    position = forms.CharField(label=_("position"), max_length=100, required=False)
    phone = forms.RegexField(label=_("mobile phone"), regex=r"^[0-9+\- ]{5,20}$", required=False,
                             error_messages={"invalid": _("Enter a phone number (digits only).")})
    expertise = forms.CharField(label=_("expertise"), max_length=200, required=False,
                                help_text=_("Comma-separated tags, e.g. 法律,教育"))
    is_standing = forms.BooleanField(label=_("standing committee member"), required=False)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    joined_on = ChineseDateField(label=_("member since"), required=False,
                                 help_text=_("When the member took office; duty minimums and escalations count from "
                                             "this day. Empty means today for a new member."))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = Body.objects.filter(unit_id__in=unit.ancestor_ids, is_active=True) if unit else Body.objects.none()
        self.fields["sector"].queryset = bodies.filter(kind=BodyKind.SECTOR)
        self.fields["committees"].queryset = bodies.filter(kind=BodyKind.COMMITTEE)

    @staticmethod
    def initial_for(member: Member) -> dict:
        data = {f: getattr(member, f) for f in ["name", "id_key", "gender", "level", "term", "party", "work_unit",
                                                 "position", "phone", "expertise", "is_standing", "is_active",
                                                 "joined_on"]}
        data.update(version=member.version, sector=member.sector_id,
                    committees=[c.pk for c in member.committees.all()])
        return data


class PostingForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Township or community"), queryset=OrgUnit.objects.none())
    basis = forms.ChoiceField(label=_("basis"), choices=PostingBasis.choices)
    started_on = ChineseDateField(label=_("since"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()


class DutyRecordForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("activity kind"))
    occurred_on = ChineseDateField(label=_("date"))
    title = forms.CharField(label=_("What did you do?"), max_length=200)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.FileField(label=_("evidence"), required=False,
                               help_text=_("Photo (JPG, PNG), PDF or Word file, at most 10 MB."),
                               widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"}))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            validate_evidence(upload)
        return upload


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class ScoringPlanForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    annual_minimum = forms.IntegerField(label=_("annual minimum points"), min_value=0, max_value=1000)
    require_four_ones = forms.BooleanField(label=_("require the “four ones”"), required=False)
    commend_top_percent = forms.IntegerField(label=_("commend the top (%)"), min_value=0, max_value=50)
    interview_bottom = forms.IntegerField(label=_("interview the bottom (members)"), min_value=0, max_value=1000)
    valid_from = ChineseDateField(label=_("changes take effect on"), required=False,
                                  help_text=_("Entries before this day keep the points in force then."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in duty.kinds().values():
            self.fields[f"points_{kind.code}"] = forms.IntegerField(
                label=kind.label, min_value=-50, max_value=100, required=True,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def points(self) -> dict:
        return {k.code: self.cleaned_data[f"points_{k.code}"] for k in duty.kinds().values()}


class MemberPickerWidget(forms.CheckboxSelectMultiple):
    """Many members at once: a checkbox list with a search box over the names (the markup and
    behaviour of the one-page session record's member picker)."""

    template_name = "members/widgets/member_picker.html"
    input_type = "member-picker"  # its own layout, not portal/_form.html's single checkbox

    class Media:
        css = {"all": ("members/member_picker.css",)}
        js = ("members/member_picker.js",)


class WorkroomForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=pgettext_lazy("object", "name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=WorkroomKind.choices)
    lead_type = forms.ChoiceField(label=_("lead type"), choices=LeadType.choices)
    lead_member = forms.ModelChoiceField(label=_("lead member"), queryset=Member.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(label=_("members"), queryset=Member.objects.none(), required=False,
                                             widget=MemberPickerWidget)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    opening_hours = forms.CharField(label=_("opening hours"), max_length=200, required=False)
    reception_days = forms.CharField(label=_("reception days"), max_length=200, required=False)
    standard = forms.CharField(label=_("standard"), max_length=300, required=False)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        qs = members if members is not None else Member.objects.none()
        self.fields["lead_member"].queryset = qs
        self.fields["members"].queryset = qs


class WorkroomActionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class WorkroomActivityForm(BootstrapFormMixin, forms.Form):
    occurred_on = ChineseDateField(label=_("date"))
    title = forms.CharField(label=_("title"), max_length=200)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.ModelMultipleChoiceField(label=_("participating members"), queryset=Member.objects.none(),
                                                  required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    residents = forms.IntegerField(label=_("residents served"), min_value=0, max_value=100000, initial=0)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = members if members is not None else Member.objects.none()


class EvidenceForm(BootstrapFormMixin, forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    file = forms.FileField(label=_("evidence"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class ChecklistItemForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label=_("item"), max_length=120)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)


class ImportForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("CPPCC unit"), queryset=OrgUnit.objects.none())
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))

    def __init__(self, *args, units=None, file_kept=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        _preselect_single(self.fields["unit"])
        if file_kept:  # the checked file is kept: confirming needs no second upload
            self.fields["file"].required = False
            self.fields["file"].help_text = _("Leave empty to import the checked file.")


def _preselect_single(field):
    """A choice with one possible answer starts chosen (no empty option to pick first)."""
    queryset = field.queryset
    choices = list(queryset[:2])
    if len(choices) == 1:
        field.initial = choices[0].pk
        field.empty_label = None


class PoolDrawForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Area"), queryset=OrgUnit.objects.none())
    expertise = forms.CharField(label=_("expertise"), max_length=50, required=False)
    size = forms.IntegerField(label=_("How many"), min_value=1, max_value=50, initial=5)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31, initial=2026,
                              help_text=_("The same seed gives the same draw, so it can be checked."))
    include_notables = forms.BooleanField(label=_("Include the talent pool (乡贤人才库)"), required=False,
                                          initial=True)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        _preselect_single(self.fields["unit"])
