"""Form helpers every app uses: Chinese date fields and the login form."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]


class ChineseDateField(forms.DateField):
    """Accepts 2026-11-25, 2026/11/25 and 2026年11月25日 whatever the interface language."""

    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": _("Enter a date such as 2026-11-25, 2026/11/25 or 2026年11月25日.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"placeholder": _("yyyy-mm-dd"), "inputmode": "numeric"},
                                                    format="%Y-%m-%d"))
        super().__init__(**kwargs)


class BootstrapFormMixin:
    """Adds Bootstrap classes to widgets so templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class PortalAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Note that both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class PortalPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    pass
