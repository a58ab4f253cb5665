"""What a server process imports to draw every page: not the heavy libraries the methods only borrow.

mapclassify (quantile classes) and spopt (the MCLP model) bring scikit-learn, libpysal and matplotlib, about 110 and
130 MB in every worker. The product computes both itself; the libraries stay in the tests as oracles. matplotlib (37 MB)
is not needed for the brief's map image either: Pillow draws it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

HEAVY = ["mapclassify", "spopt", "sklearn", "libpysal", "matplotlib"]


@pytest.fixture(scope="module")
def imported(atlas_db) -> dict[str, list[str]]:
    """The heavy libraries a fresh process holds after each step: the map classes and the MCLP model, then a
    Neighbourhood brief with its map image and PDF (one process for both: it imports the whole stack once)."""
    code = "\n".join([
        "import sys, duckdb, numpy as np",
        "from core.views import maps",
        "from core.analysis.siting import mclp",
        "maps.classify(np.arange(50.0), k=5)",
        "covers = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)",
        "assert sorted(mclp([1, 5, 1, 4], covers, k=2).chosen) == [0, 2]",
        f"heavy = {HEAVY!r}",
        "print('methods:', *[m for m in heavy if m in sys.modules])",
        "from core.store import queries",
        "from core.views import brief",
        f"con = duckdb.connect({str(atlas_db)!r}, read_only=True)",
        "b = brief.brief_data(con, str(queries.areas(con)['area_id'].iloc[0]))",
        "assert b.map_png[:8] == b'\\x89PNG\\r\\n\\x1a\\n' and brief.brief_pdf(b)[:5] == b'%PDF-'",
        "print('brief:', *[m for m in heavy if m in sys.modules])",
    ])
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return {line.split(":")[0]: line.split()[1:] for line in out.stdout.splitlines() if ":" in line}


def test_classes_and_siting_import_no_heavy_library(imported):
    assert imported["methods"] == []


def test_the_briefs_map_and_pdf_import_no_matplotlib(imported):
    # The brief's locator map is drawn with Pillow (core.views.map_image); only its font file comes from matplotlib's
    # package data, found without importing it.
    assert imported["brief"] == []
