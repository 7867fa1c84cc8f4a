"""What the codes add to other apps' pages through their registries: the member's profile and
phone page (members.page_sections, members.my_page) and the workroom's page — the code and the
counts of residents' messages (received, answered, turned into topics / 社情民意)."""

from __future__ import annotations

from django.utils import timezone

from . import selectors, services


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def member_section(request, member):
    year = _year(request)
    return {"template": "hall/codes/_section.html", "kind": "member", "target": member, "year": year,
            "counts": selectors.counts(member=member, year=year),
            "can_show": services.can_show_member_code(request.user, member),
            "is_self": member.user_id == request.user.pk}


def my_page_section(request, member):
    section = member_section(request, member)
    section["is_self"] = True
    return section


def workroom_section(request, workroom):
    year = _year(request)
    return {"template": "hall/codes/_section.html", "kind": "workroom", "target": workroom, "year": year,
            "counts": selectors.counts(workroom=workroom, year=year),
            "can_show": services.can_show_workroom_code(request.user, workroom), "is_self": False}
