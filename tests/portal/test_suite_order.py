"""The order the suite hands tests to the xdist workers (tests/conftest.py): the tests that only
wait as one chain on one worker, then the long tests, the tests that mostly wait spread one by one
over the rest, nothing lost."""

from pathlib import Path

from tests import conftest


class _Item:
    def __init__(self, module, i):
        self.nodeid, self.path, self.marks = f"{module}::test_{i}", Path(module), []

    def add_marker(self, mark):
        self.marks.append(mark)


def _items():
    items = []
    for module, count in [("tests/a/test_one.py", 200), ("tests/e2e/test_journey.py", 6),
                          ("tests/a/test_big.py", 600), ("tests/faults/test_kill.py", 4),
                          ("tests/notifications/test_sms.py", 3), ("tests/portal/test_production_steps.py", 1),
                          ("tests/b/test_two.py", 400), ("tests/e2e/test_screenshot_tour.py", 1),
                          ("tests/notifications/test_worker.py", 3), ("tests/faults/test_email_kills.py", 1)]:
        items += [_Item(module, i) for i in range(count)]
    return items


def test_waiting_chain_then_long_tests_then_the_rest_with_waiting_ones_spread_and_none_lost():
    items = _items()
    before = [item.nodeid for item in items]
    conftest.pytest_collection_modifyitems_waiting_chain(items)  # tryfirst: before xdist reads the marks
    conftest.pytest_collection_modifyitems(None, items)  # after pytest-django's own ordering
    order = [item.nodeid for item in items]
    assert sorted(order) == sorted(before)

    # the tests that only wait: first, in the chain's order, one xdist group (one worker, one by one)
    chain = ["tests/faults/test_email_kills.py::test_0"] + [f"tests/notifications/test_worker.py::test_{i}" for i in range(3)] \
        + [f"tests/notifications/test_sms.py::test_{i}" for i in range(3)]
    assert order[:7] == chain
    assert all([m.kwargs.get("name") or m.args[0] for m in item.marks if m.name == "xdist_group"] == ["waiting-chain"]
               for item in items[:7])
    assert not any(item.marks for item in items[7:])
    # then the long ones, in LONG_FIRST order
    assert order[7:9] == ["tests/portal/test_production_steps.py::test_0", "tests/e2e/test_screenshot_tour.py::test_0"]
    # the journeys and fault tests are spread, never two together, within the first part of the rest
    waiting = [i for i, nodeid in enumerate(order) if i >= 9 and nodeid.startswith(conftest.SPREAD)]
    assert len(waiting) == 10
    assert all(b - a > 1 for a, b in zip(waiting, waiting[1:], strict=False)), str(waiting)
    assert waiting[-1] < 9 + len(waiting) + 1200 * conftest.SPREAD_OVER + 20
    # the other tests keep their order
    rest = [nodeid for nodeid in order[9:] if not nodeid.startswith(conftest.SPREAD)]
    assert rest == [nodeid for nodeid in before if nodeid in set(rest)]
