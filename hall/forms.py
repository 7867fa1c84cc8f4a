from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import OrgUnit
from portal.forms import ChineseDateField

from . import abuse
from .models import Comment, Rating


class ChallengeMixin(forms.Form):
    """A server-rendered sum instead of a CAPTCHA: works offline and in WeChat's browser."""

    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(label=_("Anti-spam check"), max_length=4, required=False,
                                       widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                                     "class": "form-control", "size": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = abuse.new_challenge()
        self.fields["challenge_answer"].label = _("Anti-spam check: %(q)s = ?") % {"q": self.challenge["question"]}

    def clean(self):
        data = super().clean()
        if not abuse.verify_challenge(self.data.get("challenge_token", ""), self.data.get("challenge_answer", "")):
            self.add_error("challenge_answer", _("The answer to the check is wrong or expired. Try the new sum."))
        return data

    def refuse(self, message):
        """Mark the form as refused without validating it (no photo decoding for a spam burst)."""
        from django.forms.utils import ErrorDict

        self.cleaned_data = {}
        self._errors = ErrorDict({forms.forms.NON_FIELD_ERRORS: self.error_class([message])})
        return self

    def fresh_challenge(self):
        """Re-rendered forms carry a new sum (the old one is burnt or was wrong)."""
        self.data = self.data.copy()
        self.data["challenge_token"] = self.challenge["token"]
        self.data["challenge_answer"] = ""
        return self


def _with_token(form):
    form.initial["challenge_token"] = form.challenge["token"]
    return form


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif",
                                                             "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _area(rows=4, **attrs):
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


class SubmissionForm(ChallengeMixin):
    unit = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("Topic"), max_length=120, widget=_text())
    body = forms.CharField(label=_("What is the problem, and what do you suggest?"), max_length=3000,
                           widget=_area(5))
    location = forms.CharField(label=_("Where exactly (building, street, square)"), max_length=200,
                               required=False, widget=_text())
    photos = MultipleFileField(label=_("Photos (up to 3, at most 5 MB each)"), required=False)
    contact_name = forms.CharField(label=_("Your name (optional, not published)"), max_length=60, required=False,
                                   widget=_text(autocomplete="name"))
    contact_phone = forms.CharField(label=_("Phone (optional, not published)"), max_length=30, required=False,
                                    widget=_text(autocomplete="tel", inputmode="tel"))
    field_order = ["unit", "title", "body", "location", "photos", "contact_name", "contact_phone",
                   "challenge_token", "challenge_answer"]

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = communities if communities is not None else OrgUnit.objects.none()
        _with_token(self)

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        if len(files) > abuse.MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": abuse.MAX_PHOTOS})
        cleaned = []
        from portal.errors import DomainError

        for upload in files:
            try:
                cleaned.append(abuse.sanitize_photo(upload))
            except DomainError as exc:
                raise forms.ValidationError(str(exc.message))
        return cleaned

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if phone and not phone.replace("-", "").replace(" ", "").lstrip("+").isdigit():
            raise forms.ValidationError(_("Enter digits only."))
        return phone


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=32, widget=_text(autocomplete="off"))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment or suggestion"), max_length=2000, widget=_area(3))
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False, widget=_text())


class RatingForm(forms.Form):
    value = forms.ChoiceField(label=_("Your rating"), choices=Rating.Value.choices, widget=forms.RadioSelect)


class LiveQuestionForm(ChallengeMixin):
    name = forms.CharField(label=_("Your name (optional; shown masked)"), max_length=30, required=False,
                           widget=_text())
    body = forms.CharField(label=_("Your question"), max_length=500, widget=_area(2))
    field_order = ["name", "body", "challenge_token", "challenge_answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_token(self)


class SignupForm(ChallengeMixin):
    unit = forms.ModelChoiceField(label=_("Your community"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    username = forms.RegexField(label=_("User name"), max_length=30, regex=r"^[\w.@+-]+\Z", widget=_text(),
                                help_text=_("Letters, digits and @ . + - _ only."))
    display_name = forms.CharField(label=_("Name or nickname"), max_length=30, widget=_text())
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"class": "form-control"}))
    field_order = ["unit", "username", "display_name", "password", "challenge_token", "challenge_answer"]

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = communities if communities is not None else OrgUnit.objects.none()
        _with_token(self)

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        validate_password(password)
        return password


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(label=pgettext_lazy("hall", "Decision"), choices=[
        ("accept", _("Take up as a consultation topic")), ("decline", _("Do not take up"))],
        widget=forms.RadioSelect)
    title = forms.CharField(label=_("Topic title"), max_length=120, required=False, widget=_text())
    description = forms.CharField(label=_("Topic description"), max_length=5000, required=False, widget=_area(4))
    reply = forms.CharField(label=_("Reply to the resident (public on the tracking page)"), max_length=2000,
                            required=False, widget=_area(3))
    internal_note = forms.CharField(label=_("Internal note (staff only)"), max_length=2000, required=False,
                                    widget=_area(2))


class ConsultationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("Title"), max_length=150, widget=_text())
    background = forms.CharField(label=_("Background material"), max_length=10000, widget=_area(6))
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=_text(placeholder="2026-11-25 09:00"))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=_text(placeholder="2026-12-05 18:00"))
    questions = forms.CharField(
        label=_("Questionnaire"), required=False, widget=_area(3),
        help_text=_("One question per line: the question, then its choices, separated by |"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()

    def clean_questions(self):
        rows = []
        for line in self.cleaned_data.get("questions", "").splitlines():
            parts = [p.strip() for p in line.split("|") if p.strip()]
            if not parts:
                continue
            if len(parts) < 3:
                raise forms.ValidationError(_("Each question needs at least two choices."))
            rows.append((parts[0][:200], [p[:100] for p in parts[1:11]]))
        return rows[:10]


class ResultForm(forms.Form):
    result = forms.CharField(label=_("Published result"), max_length=10000, widget=_area(5))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AdoptionForm(forms.Form):
    adoption = forms.ChoiceField(label=_("Adoption"), choices=[c for c in Comment.Adoption.choices if c[0]])
    reply = forms.CharField(label=_("Reply to the resident"), max_length=2000, widget=_area(2))
    adopted_on = ChineseDateField(label=_("Decided on"), required=False, help_text=_("Empty means today."))


class LiveAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=2000, required=False, widget=_area(2))
    show = forms.BooleanField(label=_("Show on the live page"), required=False, initial=True)


class LiveSessionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("Title"), max_length=150, widget=_text())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_text(placeholder="2026-12-01 19:30"))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_text(placeholder="2026-12-01 21:00"))
    stream_url = forms.URLField(label=_("Stream link"), required=False, assume_scheme="https",
                                widget=forms.URLInput(attrs={"class": "form-control"}))
    agenda = forms.CharField(label=_("Agenda"), max_length=5000, required=False, widget=_area(4))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
