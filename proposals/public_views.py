"""The public proposal search (公开提案查询): no login; published proposals and replies only
(see ``proposals.public_selectors`` for what is and is never shown)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import public_selectors as selectors
from .models import ProposalCategory

PAGE_SIZE = 20


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Keyword"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *ProposalCategory.choices],
                                 widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=None, required=False,
                                  empty_label=_("All handling units"),
                                  widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in selectors.years())]
        self.fields["unit"].queryset = selectors.handling_units()


@require_GET
def search(request):
    form = PublicSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "proposals/public/search.html", {"form": form, "page": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    qs = selectors.search(q=filters.get("q", ""), year=filters.get("year"), category=filters.get("category", ""),
                          unit=filters.get("unit"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "proposals/public/search.html", {"form": form, "page": page,
                                                            "query": query.urlencode()})


@require_GET
def detail(request, pk):
    return render(request, "proposals/public/detail.html", {"p": selectors.public_proposal(pk)})
