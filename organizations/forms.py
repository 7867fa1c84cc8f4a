from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import BootstrapFormMixin

from .models import OrgUnit, UnitKind


class OrgUnitEditForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("official name"), max_length=100)
    short_name = forms.CharField(label=_("short name"), max_length=50, required=False)
    liaison_body_name = forms.CharField(label=_("liaison body"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OrgUnitMoveForm(BootstrapFormMixin, forms.Form):
    parent = forms.ModelChoiceField(label=_("new parent unit"), queryset=OrgUnit.objects.none(),
                                    error_messages={"invalid_choice": _("Choose a unit within your scope.")})

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["parent"].queryset = units


class PersonAddForm(BootstrapFormMixin, forms.Form):
    """Add a person with a role to a unit (office clerks, within their subtree)."""

    username = forms.CharField(label=_("user name"), max_length=150)
    display_name = forms.CharField(label=_("name"), max_length=60)
    role = forms.ChoiceField(label=_("role"))
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput(render_value=True),
                               help_text=_("Give it to the person; they should change it at first log-in."))

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
