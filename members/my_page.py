"""Sections other apps add to a member's phone page (upcoming sessions, invitations, tasks),
without members importing them. Register in AppConfig.ready():

    from members.my_page import register_my_page_section
    register_my_page_section(func)   # func(request, member) -> {"template": "...", ...} | None

Each section is rendered at the top of "My duties" with `section` in its context; it must use a
constant number of queries."""

_SECTIONS: list = []


def register_my_page_section(func):
    if func not in _SECTIONS:
        _SECTIONS.append(func)
    return func


def sections_for(request, member) -> list[dict]:
    return [s for s in (func(request, member) for func in _SECTIONS) if s]
