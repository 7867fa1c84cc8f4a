"""Sections other apps add to a member's profile (staff and the member themself) and to a
workroom's page, without members importing them (the hall adds the member or workroom code and
the counts of residents' scanned-code messages). Register in AppConfig.ready():

    from members.page_sections import register_member_section, register_workroom_section
    register_member_section(func)     # func(request, member) -> {"template": "...", ...} | None
    register_workroom_section(func)   # func(request, workroom) -> {...} | None

Each section is rendered with `section` in its context and must use a constant number of queries.
(The member's phone page has its own registry, ``members.my_page``.)"""

_MEMBER: list = []
_WORKROOM: list = []


def register_member_section(func):
    if func not in _MEMBER:
        _MEMBER.append(func)
    return func


def register_workroom_section(func):
    if func not in _WORKROOM:
        _WORKROOM.append(func)
    return func


def member_sections(request, member) -> list[dict]:
    return [s for s in (func(request, member) for func in _MEMBER) if s]


def workroom_sections(request, workroom) -> list[dict]:
    return [s for s in (func(request, workroom) for func in _WORKROOM) if s]
