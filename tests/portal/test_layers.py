"""The layering contracts of ARCHITECTURE.md (.importlinter) hold: `lint-imports` passes, so
`make test` and CI fail when a lower layer reaches up."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout, result.stdout[-3000:]


def test_the_contracts_cover_every_layer_of_the_architecture():
    """A contract per package of the ARCHITECTURE.md table, so none can be dropped silently."""
    config = (ROOT / ".importlinter").read_text()
    for name in ("portal", "organizations", "members", "features", "features-above", "notifications", "hall",
                 "reports"):
        assert f"[importlinter:contract:{name}]" in config
