"""Shared fixtures: atlas databases built once per session into temporary folders, never into data/; for browser
tests, one Chromium and one `streamlit run` on the atlas per session (how to use them: tests/browser_support.py)."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest

from core.ingest.reference import default_raw_dir

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
AS_OF = date(2026, 10, 1)
HAVE_RAW = default_raw_dir().exists()
# The hand-made city pack (six census tracts, each its own area) and New York's raw folder, beside Chicago's.
TINY = REPO / "tests" / "packs" / "tiny"
NYC_RAW = default_raw_dir().parent / "nyc"
# The server's small shared state (sign-in attempts) goes to a temporary folder, never into the repo's data/.
os.environ.setdefault("ATLAS_STATE_DIR", tempfile.mkdtemp(prefix="atlas-test-state-"))
# Every result the app shares between sessions is fingerprinted, so a page that changes one in place fails its test
# (core.serve.cache.SharedResultChanged), here and in the servers the browser tests start.
os.environ["ATLAS_CHECK_SHARED"] = "1"
# No background warm-up of the disclosure protections (core.serve.warm_up): each test computes what it needs.
os.environ["ATLAS_WARM_UP"] = "0"
# One folder of kept protections (core.views.protection_files) for the whole run: set here, in the process that
# starts the test processes, so that they and the servers they start solve each protection once between them.
os.environ.setdefault("ATLAS_PROTECTION_CACHE", tempfile.mkdtemp(prefix="atlas-test-protections-"))


def _build(path: Path, demo: bool) -> Path:
    from core.ingest.build import build

    old = os.environ.get("ATLAS_RAW_DIR")
    if demo:
        os.environ["ATLAS_RAW_DIR"] = str(path.parent / "no-raw-here")
    try:
        build(path, None, None, as_of=AS_OF)
    finally:
        if demo:
            if old is None:
                os.environ.pop("ATLAS_RAW_DIR", None)
            else:
                os.environ["ATLAS_RAW_DIR"] = old
    return path


@pytest.fixture(scope="session")
def atlas_db(tmp_path_factory) -> Path:
    """The atlas as a user gets it by default: real Chicago data when ../shared exists, else the demo."""
    return _build(tmp_path_factory.mktemp("atlas") / "atlas.duckdb", demo=False)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The synthetic demo, built as a clone on its own builds it (no raw folder)."""
    return _build(tmp_path_factory.mktemp("demo") / "atlas.duckdb", demo=True)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not HAVE_RAW:
        pytest.skip("real Chicago raw files are not beside this clone (../shared); the demo tests cover this run")
    return default_raw_dir()


@pytest.fixture
def fresh_protections(monkeypatch):
    """No protection remembered from before, in the process or on disk: for a test that changes how they are
    computed (a protection taken away, say), which must see its own."""
    import collections

    from core.views import reach_protection

    monkeypatch.setattr(reach_protection, "_KEPT", collections.OrderedDict())
    monkeypatch.setenv("ATLAS_PROTECTION_CACHE", "off")


@pytest.fixture
def con(atlas_db):
    import duckdb

    c = duckdb.connect(str(atlas_db), read_only=True)
    yield c
    c.close()


@pytest.fixture
def use_db(atlas_db, monkeypatch):
    """Point the app (core.store.paths.database_path) at the session's atlas database."""
    monkeypatch.setenv("ATLAS_DB", str(atlas_db))
    return atlas_db


@pytest.fixture
def jobs_in_process(monkeypatch):
    """Run the Admin page's check and publish jobs in the test's own process rather than a new one.

    For tests of what a check refuses or publishes, not of where it runs: a job process imports the whole stack
    and reads the reference data again (about 5 s a case), while in process a test's cached reference is used.
    ``tests/test_hardening.py``'s item 7 (which proves the jobs run elsewhere) and ``tests/test_admin.py``'s end-to-end
    upload, preview and publish keep the real job process.
    """
    from core.serve import admin, admin_job

    monkeypatch.setattr(admin, "_run_job", admin_job.run)  # the same arguments, and InputError raised as such


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = ARTIFACTS / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """The longest tests first, so that the two test processes end together: the random-state audits (``slow``),
    then the browser tests, then the rest (mostly well under a second each), which fill in around them. The test
    command keeps this order (``--no-loadscope-reorder``: pytest-xdist would otherwise send the largest groups first).

    Tests that share a costly fixture run in one test process (pytest-xdist's ``loadgroup``), so that it is made
    once rather than once per process: a module's `atlas serve` (``served``), New York's pack and atlas.
    """
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "served" in names:
            item.add_marker(pytest.mark.xdist_group(f"served-{item.module.__name__}"))
        if ({"nyc_db", "nyc_pack"} & set(names)) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.xdist_group("nyc"))
        if item.get_closest_marker("xdist_group") is None and item.get_closest_marker("browser") is None \
                and _module_fixture_on_a_database(item):
            item.add_marker(pytest.mark.xdist_group(f"module-{item.module.__name__}"))
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, item.get_closest_marker("browser") is None,
                                 item.get_closest_marker("xdist_group") is None))


def _module_fixture_on_a_database(item) -> bool:
    """Whether the test uses a module-scoped fixture made from one of the session's databases (every page run on
    it, say): the module's tests that share it then run in one process, which makes it once."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for defs in info.name2fixturedefs.values():
        d = defs[-1]
        if d.scope == "module" and DATABASES & set(_closure(info, d.argname)):
            return True
    return False


DATABASES = {"atlas_db", "demo_db", "tiny_db", "nyc_db", "nyc_pack"}


def _closure(info, name: str, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    for d in info.name2fixturedefs.get(name, ())[-1:]:
        for arg in d.argnames:
            if arg not in seen:
                seen.add(arg)
                _closure(info, arg, seen)
    return seen


@pytest.fixture(scope="session")
def browser():
    """The session's one headless Chromium (Playwright); each test opens its own context with `open_page`."""
    from tests.browser_support import chromium

    with chromium() as b:
        yield b


def _new_tab(browser, width: int, height: int):
    """A tab in a new browser context: its own cookies and storage, downloads accepted."""
    return browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True).new_page()


@pytest.fixture
def open_page(browser):
    """Open a page in a new browser context (its own cookies and storage): `page = open_page(width, height)`.
    Every context the test opened is closed after it."""
    contexts = []

    def _open(width: int = 1280, height: int = 900):
        page = _new_tab(browser, width, height)
        contexts.append(page.context)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def atlas_server(atlas_db):
    """The URL of one `streamlit run` on the session's atlas database, shared by every browser test that needs no
    special server. Streamlit keeps each browser tab's session apart; what they share is the warm cache."""
    from tests.browser_support import require_chromium, streamlit_server

    require_chromium()
    with streamlit_server(atlas_db) as url:
        yield url


@pytest.fixture(scope="session")
def page_visit(browser, atlas_server):
    """``page_visit(path)``: the page opened once per test process by its shared link (browser_support.SHARED_LINKS)
    on the session's server, settled, in a tab of its own; later calls return the same tab.

    For tests that only read a page (what it draws, its accessibility, where its link leads): loading a page costs a
    few seconds, and three such tests per page each loaded it before. Tests that click or type open their own tab.
    The tab records every request to another host (``page.atlas_outside``) and every console error
    (``page.atlas_console``) from its first request on.
    """
    from tests.browser_support import settle, shared_link, unpark, watch_hosts

    opened = _SHARED_TABS

    def _visit(path: str):
        if path not in opened:
            page = _new_tab(browser, 1280, 900)
            # Requests to other hosts and console errors, from before the first request (read by the offline test).
            page.atlas_outside, page.atlas_console = watch_hosts(page, atlas_server)
            page.goto(atlas_server + shared_link(path))
            settle(page, timeout=240_000)
            opened[path] = page
        unpark(opened[path])
        return opened[path]

    yield _visit
    for page in opened.values():
        page.context.close()
    opened.clear()


_SHARED_TABS: dict = {}   # page_visit's tabs, by path


@pytest.fixture(autouse=True)
def _park_shared_tabs():
    """After each test, page_visit's tabs are parked (tests/browser_support.park): a map tab left to draw would take
    a tenth of a core from every test that follows, browser or not, until the run ends."""
    yield
    if _SHARED_TABS:
        from tests.browser_support import park

        for page in _SHARED_TABS.values():
            park(page)


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory) -> Path:
    """The hand-made pack built: text ids, two domains, no languages file, so nothing may assume Chicago."""
    out = tmp_path_factory.mktemp("tiny") / "atlas.duckdb"
    from core.ingest.build import build

    build(out, pack_dir=TINY, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def nyc_pack(tmp_path_factory) -> Path:
    """New York's raw files turned into a pack by `atlas pack nyc`, in a temporary folder (never in the repo)."""
    if not NYC_RAW.exists():
        pytest.skip("the New York raw files are not beside this clone (../shared/data/raw/nyc)")
    from core.ingest.pack_nyc import make_nyc_pack

    out = tmp_path_factory.mktemp("nyc-pack")
    make_nyc_pack(NYC_RAW, out)
    return out


@pytest.fixture(scope="session")
def nyc_db(nyc_pack, tmp_path_factory) -> Path:
    """The New York atlas, built from its pack as `atlas build --pack` does."""
    from core.ingest.build import build

    out = tmp_path_factory.mktemp("nyc") / "atlas.duckdb"
    build(out, pack_dir=nyc_pack, as_of=AS_OF)
    return out


def pytest_sessionstart(session):
    _log_machine("start")


def pytest_sessionfinish(session):
    _log_machine("end")


def _log_machine(when: str) -> None:
    """``ATLAS_TEST_TIMELINE``: the machine's CPU time counters (Linux's /proc/stat, in ticks) at the start and end of
    the run, written by the process that starts the test processes: Chromium's renderers are no test process's
    children, so only the whole machine's counters show what the run cost and whether a core stood idle."""
    path = os.environ.get("ATLAS_TEST_TIMELINE")
    if not path or os.environ.get("PYTEST_XDIST_WORKER") or not os.path.exists("/proc/stat"):
        return
    import time

    with open("/proc/stat") as stat:
        ticks = stat.readline().split()[1:]
    with open(path, "a") as f:
        f.write(f"machine\t{when}\t{os.sysconf('SC_CLK_TCK')}\t{time.time():.3f}\t{' '.join(ticks)}\n")


def pytest_runtest_logreport(report):
    """``ATLAS_TEST_TIMELINE=FILE``: one line per test phase (process, test, phase, start, seconds) appended to FILE,
    to see how the two processes' time is spent end to end (bench/timeline.py sums it up)."""
    path = os.environ.get("ATLAS_TEST_TIMELINE")
    # Under xdist the controlling process hears every worker's reports again (xdist marks them with ``node``).
    if path and not hasattr(report, "node"):
        with open(path, "a") as f:
            f.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}\t{report.nodeid}\t{report.when}\t"
                    f"{report.start:.3f}\t{report.duration:.3f}\n")
