"""pytest rewrites the asserts of every test module, conftest and pytest plugin package (schemathesis,
hypothesis, Faker …) as it imports them, and keeps the result as a `*-pytest-*.pyc` beside the
source — unless `PYTHONDONTWRITEBYTECODE` is set, as it is on the CI machine: then every xdist
worker parsed and rewrote the same ~490 files again, ~6 s of CPU each (issue 16).

Before the workers start, the controller writes those files once: two forked children import the
test modules that have no current rewritten copy (which rewrites them and the plugin modules they
import, with writing switched on), and write the plugin modules the controller had already imported.
The workers read the copies (pytest reads them whatever the variable says) and rewrite nothing.
pytest checks each copy against its source's modification time and size, so an edited test module is
rewritten as before. A run whose copies are all current forks nothing."""

import contextlib
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _copy_of(fn: Path) -> Path:
    from _pytest.assertion.rewrite import PYC_TAIL, get_cache_dir

    return get_cache_dir(fn) / (fn.name[:-3] + PYC_TAIL)


def _current(fn: Path) -> bool:
    from _pytest.assertion.rewrite import _read_pyc

    return _read_pyc(fn, _copy_of(fn)) is not None


def _test_modules() -> list[tuple[str, Path]]:
    files = sorted((ROOT / "tests").rglob("test_*.py")) + sorted((ROOT / "tests").rglob("conftest.py"))
    return [(".".join(fn.relative_to(ROOT).with_suffix("").parts), fn) for fn in files]


def _write_imported(config) -> None:
    """The rewritten copies of modules this process imported before (the plugins, at start-up)."""
    from _pytest.assertion.rewrite import _rewrite_test, _write_pyc, assertstate_key

    state = config.stash[assertstate_key]
    hook = state.hook
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
        if not origin or not origin.endswith(".py") or not hook._is_marked_for_rewrite(name, state):
            continue
        fn = Path(origin)
        if fn.exists() and not _current(fn):
            stat, code = _rewrite_test(fn, config)
            _write_pyc(state, code, stat, _copy_of(fn))


def _import_all(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(BaseException):  # the worker that imports it reports the error
            importlib.import_module(name)


def write_copies(config, processes: int = 2) -> list[int]:
    """Fork the children that write the stale copies; return their pids (none if all are current)."""
    stale = [name for name, fn in _test_modules() if not _current(fn)]
    if not stale:
        return []
    pids = []
    for i in range(processes):
        pid = os.fork()
        if pid == 0:  # the child: write, then leave without running anything of the parent's
            code = 0
            try:
                sys.dont_write_bytecode = False
                if i == 0:
                    _write_imported(config)
                _import_all(stale[i::processes])
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        pids.append(pid)
    return pids


def wait(pids: list[int]) -> None:
    for pid in pids:
        os.waitpid(pid, 0)
