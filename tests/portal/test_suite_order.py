"""The order the suite hands tests to the xdist workers (tests/conftest.py): the long tests first,
the tests that mostly wait spread one by one over the first part of the rest, nothing lost."""

from pathlib import Path
from types import SimpleNamespace

from tests import conftest


def _items():
    items = []
    for module, count in [("tests/a/test_one.py", 200), ("tests/e2e/test_journey.py", 6),
                          ("tests/a/test_big.py", 600), ("tests/faults/test_kill.py", 4),
                          ("tests/portal/test_production_steps.py", 1), ("tests/b/test_two.py", 400),
                          ("tests/e2e/test_screenshot_tour.py", 1), ("tests/notifications/test_worker.py", 3)]:
        items += [SimpleNamespace(nodeid=f"{module}::test_{i}", path=Path(module)) for i in range(count)]
    return items


def test_long_tests_first_waiting_ones_spread_and_none_lost():
    items = _items()
    before = [item.nodeid for item in items]
    conftest.pytest_collection_modifyitems(None, items)
    order = [item.nodeid for item in items]

    assert sorted(order) == sorted(before)
    # the long ones that keep the cores busy (or are the longest of all) start first, in LONG_FIRST order
    assert order[:2] == ["tests/portal/test_production_steps.py::test_0", "tests/e2e/test_screenshot_tour.py::test_0"]
    waiting = [i for i, nodeid in enumerate(order)
               if nodeid.startswith(conftest.SPREAD) and "screenshot_tour" not in nodeid]
    assert len(waiting) == 13
    assert all(b - a > 1 for a, b in zip(waiting, waiting[1:], strict=False)), str(waiting)  # never two together
    others = len(order) - 2 - len(waiting)
    assert waiting[-1] < 2 + len(waiting) + others * conftest.SPREAD_OVER + 20  # within the first part
    # the other tests keep their order
    rest = [nodeid for nodeid in order if not nodeid.startswith(conftest.SPREAD) and "production" not in nodeid]
    assert rest == [nodeid for nodeid in before if nodeid in set(rest)]
