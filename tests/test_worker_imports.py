"""What a server process imports to draw every page: not the heavy libraries the methods only borrow.

mapclassify (quantile classes) and spopt (the MCLP model) bring scikit-learn, libpysal and matplotlib, about 110 and
130 MB in every worker. The product computes both itself; the libraries stay in the tests as oracles."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ["mapclassify", "spopt", "sklearn", "libpysal"]


def test_classes_and_siting_import_no_heavy_library():
    code = "\n".join([
        "import sys, numpy as np",
        "from core.views import maps",
        "from core.analysis.siting import mclp",
        "maps.classify(np.arange(50.0), k=5)",
        "covers = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)",
        "assert sorted(mclp([1, 5, 1, 4], covers, k=2).chosen) == [0, 2]",
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))",
    ])
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == []
