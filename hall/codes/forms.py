from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import ChallengeMixin, _area, _text, _with_token


class CodeMessageForm(ChallengeMixin):
    """What a resident writes after scanning a member's or workroom's code."""

    title = forms.CharField(label=_("Subject"), max_length=120, widget=_text())
    body = forms.CharField(label=_("Your message (problem, suggestion, request)"), max_length=3000, widget=_area(6))
    contact_name = forms.CharField(label=_("Your name (optional, not published)"), max_length=60, required=False,
                                   widget=_text(autocomplete="name"))
    contact_phone = forms.CharField(label=_("Phone (optional, not published)"), max_length=30, required=False,
                                    widget=_text(autocomplete="tel", inputmode="tel"))
    field_order = ["title", "body", "contact_name", "contact_phone", "challenge_token", "challenge_answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_token(self)

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if phone and not phone.replace("-", "").replace(" ", "").lstrip("+").isdigit():
            raise forms.ValidationError(_("Enter digits only."))
        return phone


class HandleForm(forms.Form):
    """The addressee's answer: a reply, or a hand-over to a topic or a 社情民意 item (with a reply)."""

    ACTIONS = [("answer", _("Answer the resident")), ("topic", _("Turn into a consultation topic")),
               ("opinion", _("Turn into a public-opinion item"))]
    action = forms.ChoiceField(label=_("What to do"), choices=ACTIONS, initial="answer",
                               widget=forms.RadioSelect)
    reply = forms.CharField(label=_("Reply to the resident"), max_length=2000, widget=_area(4))
    title = forms.CharField(label=_("Title of the topic or item"), max_length=120, required=False, widget=_text())
    description = forms.CharField(label=_("Description of the topic or item"), max_length=3000, required=False,
                                  widget=_area(4))

    def __init__(self, *args, actions=("answer",), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(k, v) for k, v in self.ACTIONS if k in actions]
