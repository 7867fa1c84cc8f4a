"""Report periods: a year, a quarter, a month or a custom range, parsed from the query string.

Every bad input (end before start, a range over ten years, a year outside 1949..next year,
garbage) becomes a translated form error, never a 500."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
MAX_DAYS = 3660  # ten years, the longest range a report covers (two terms of office)
FIRST_YEAR = 1949


@dataclass(frozen=True)
class Period:
    kind: str  # year | quarter | month | custom
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    @property
    def is_standard(self) -> bool:
        return self.kind in {"year", "quarter", "month"}

    def query(self) -> str:
        """The query string that selects this period again."""
        if self.kind == "year":
            return f"period=year&year={self.start.year}"
        if self.kind == "quarter":
            return f"period=quarter&year={self.start.year}&quarter={(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"period=month&year={self.start.year}&month={self.start.month}"
        return f"period=custom&start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"

    def fields(self) -> list[tuple[str, str]]:
        """The same as hidden form fields."""
        return [tuple(part.split("=", 1)) for part in self.query().split("&")]

    def as_params(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_params(cls, params: dict) -> Period:
        return cls(params["kind"], datetime.date.fromisoformat(params["start"]),
                   datetime.date.fromisoformat(params["end"]))


def year_period(year: int) -> Period:
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    last = first + 2
    return Period("quarter", datetime.date(year, first, 1),
                  datetime.date(year, last, calendar.monthrange(year, last)[1]))


def month_period(year: int, month: int) -> Period:
    return Period("month", datetime.date(year, month, 1),
                  datetime.date(year, month, calendar.monthrange(year, month)[1]))


def standard_periods(today: datetime.date) -> list[Period]:
    """The periods the summary tables keep current: this and last year, quarter and month."""
    q = (today.month - 1) // 3 + 1
    prev_q = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
    prev_m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return [
        year_period(today.year), year_period(today.year - 1),
        quarter_period(today.year, q), quarter_period(*prev_q),
        month_period(today.year, today.month), month_period(*prev_m),
    ]


class PeriodForm(forms.Form):
    KINDS = [("year", _("Year")), ("quarter", _("Quarter")), ("month", _("Month")), ("custom", _("Custom range"))]

    period = forms.ChoiceField(label=_("Period"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), required=False, coerce=int, empty_value=None,
                                     choices=[("", "—")] + [(i, f"Q{i}") for i in range(1, 5)])
    month = forms.TypedChoiceField(label=_("Month"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—")] + [(i, str(i)) for i in range(1, 13)])
    start = forms.DateField(label=_("From"), required=False, input_formats=DATE_FORMATS)
    end = forms.DateField(label=_("To"), required=False, input_formats=DATE_FORMATS)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        kind = data.get("period") or "year"
        year = data.get("year")
        if year is None:  # not given; 0 is a wrong year, not "this year"
            year = today.year
        if kind != "custom" and not FIRST_YEAR <= year <= today.year + 1:
            self.add_error("year", _("Choose a year between %(first)s and %(last)s.")
                           % {"first": FIRST_YEAR, "last": today.year + 1})
            return data
        if kind == "year":
            data["result"] = year_period(year)
        elif kind == "quarter":
            data["result"] = quarter_period(year, data.get("quarter") or (today.month - 1) // 3 + 1)
        elif kind == "month":
            data["result"] = month_period(year, data.get("month") or today.month)
        else:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                self.add_error("start" if not start else "end", _("A custom range needs both a start and an end date."))
            elif end < start:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("A report covers at most ten years; choose a shorter range."))
            elif start.year < FIRST_YEAR or end.year > today.year + 1:
                self.add_error("start", _("Choose dates between %(first)s and %(last)s.")
                               % {"first": FIRST_YEAR, "last": today.year + 1})
            else:
                data["result"] = Period("custom", start, end)
        return data

    @property
    def result(self) -> Period | None:
        return self.cleaned_data.get("result") if self.is_valid() else None


def parse_period(params, *, on_demand: bool = False) -> tuple[Period | None, PeriodForm]:
    """(period, form) from a QueryDict; the period is None when the form has errors. With
    `on_demand`, the form showing a valid period is built when a template first reads it (a
    callable, which templates call): not at all when the page is served from the cache."""
    form = PeriodForm(params or {"period": "year"})
    period = form.result
    if period is not None:  # show the period actually used, defaults filled in
        form = ShownForm(period)
        if not on_demand:
            form = form()
    return period, form


class ShownForm:
    """The form showing `period`, built on the first call."""

    def __init__(self, period: Period):
        self.period, self._form = period, None

    def __call__(self) -> PeriodForm:
        if self._form is None:
            self._form = PeriodForm(dict(self.period.fields()))
            self._form.is_valid()
        return self._form
