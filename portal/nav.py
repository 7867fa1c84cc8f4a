"""Navigation by role. Each app registers its entries in its AppConfig.ready(); the shell shows
a user the entries one of their roles allows, so nobody sees menus they cannot use."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # lazy translation
    url_name: str
    icon: str = "circle"
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100


_REGISTRY: dict[str, NavItem] = {}
_version = 0  # changes with every registration (the shell's rendered menus are per version)


def register(item: NavItem) -> None:
    global _version
    _REGISTRY[item.key] = item
    _version += 1


def unregister(key: str) -> None:
    global _version
    _REGISTRY.pop(key, None)
    _version += 1


def version() -> int:
    return _version


def items_for(role_codes: set[str], *, is_superuser: bool = False) -> list[NavItem]:
    visible = [
        item for item in _REGISTRY.values()
        if is_superuser or not item.roles or item.roles & role_codes
    ]
    return sorted(visible, key=lambda i: (i.order, i.key))
