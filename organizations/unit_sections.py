"""Sections other apps add to a unit's page (e.g. consultations' quota and pace, the unit's
dashboard), without organizations importing them. Register in AppConfig.ready():

    register_unit_section(func)   # func(request, unit) -> {"template": "...", ...} | None
"""

_SECTIONS: list = []


def register_unit_section(func):
    if func not in _SECTIONS:
        _SECTIONS.append(func)
    return func


def sections_for(request, unit) -> list[dict]:
    return [s for s in (func(request, unit) for func in _SECTIONS) if s]
