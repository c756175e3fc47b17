import os
import sys
import tempfile
from pathlib import Path

# tests/ helpers (nbrun) importable from every test module
sys.path.insert(0, str(Path(__file__).parent))

# The person-key secret of the test run: a fresh file in a temporary folder (created on first use),
# never the user's ~/.config/reliefplan/secret. Set before xdist starts its workers and before any
# kernel or CLI subprocess, which inherit it, so every process of one run computes the same keys.
if not os.environ.get("RELIEFPLAN_SECRET"):
    os.environ.setdefault("RELIEFPLAN_SECRET_FILE",
                          str(Path(tempfile.mkdtemp(prefix="reliefplan-test-secret-")) / "secret"))
