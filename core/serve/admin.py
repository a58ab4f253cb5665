"""The Admin page's work: stage an uploaded inventory, validate it, preview what would change, publish or discard.

Nothing here touches the published database until :func:`publish`, which needs a data owner's grant
(:mod:`core.serve.auth`) and rebuilds through :func:`core.ingest.build.build`, so the new file is swapped in atomically only
once it is complete and checked.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from core.analysis import coverage
from core.analysis.suppression import SUPPRESSED, is_small
from core.base.errors import InputError
from core.base.formatting import percent
from core.ingest.build import INVENTORY_FILES, build
from core.ingest.inventory_load import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, load_inventory
from core.ingest.inventory_schema import FILES
from core.serve import auth
from core.store import db, queries
from core.store.paths import database_path
from core.store.write import overlay
from core.views.methods import PERSON_COUNTS

MAX_UPLOAD_BYTES = DEFAULT_MAX_BYTES
MAX_ROWS = DEFAULT_MAX_ROWS
"""Data rows accepted in each uploaded file (documented in data/inventory/README.md)."""
# A check or a rebuild taking longer than this is stopped; a real city's inventory takes seconds.
JOB_SECONDS = 900
REPO_ROOT = Path(__file__).resolve().parents[2]
STAGE_PREFIX = "atlas-upload-"
# An upload neither published nor discarded (the owner closed the browser) is removed by a later upload after this.
STALE_UPLOAD_SECONDS = 24 * 3600
# Each inventory table, and the columns that identify one of its rows.
TABLE_KEYS = {"program": ["program_id"], "funding": ["funding_id"], "program_period": ["program_id", "period"]}
TABLE_LABELS = {"program": "Programmes", "funding": "Grants", "program_period": "Programme-quarters"}

log = logging.getLogger(__name__)


class PublishBusy(RuntimeError):
    """Another publish of the same database is running; this one was not started."""


class JobFailed(RuntimeError):
    """A check or a rebuild stopped on something other than bad input; its traceback is in the server log."""


# --------------------------------------------------------------------------------------------------------------
# Upload and validation.


def stage_upload(files: Mapping[str, bytes], root: str | Path | None = None) -> Path:
    """Write the three uploaded inventory files into a new private folder and return it.

    ``files`` maps each inventory file name (``programs.csv``, ``funding.csv``, ``program_periods.csv``) to
    its bytes; the names come from the upload slots, never from the uploaded file, so no path is trusted.

    Raises
    ------
    InputError
        When a file is missing, is not one of the three, or is over :data:`MAX_UPLOAD_BYTES`.

    Examples
    --------
    >>> d = stage_upload({n: b"x" for n in INVENTORY_FILES})
    >>> sorted(p.name for p in d.iterdir())
    ['funding.csv', 'program_periods.csv', 'programs.csv']
    >>> discard(d); d.exists()
    False
    """
    for name in files:
        if name not in INVENTORY_FILES:
            raise InputError(str(name), None, None, "is not an inventory file; upload "
                             + ", ".join(INVENTORY_FILES))
    for name in INVENTORY_FILES:
        if files.get(name) is None:
            raise InputError(name, None, None, "was not uploaded: all three inventory files are needed")
        if len(files[name]) > MAX_UPLOAD_BYTES:
            raise InputError(name, None, None, f"is {len(files[name]):,} bytes, over the limit of "
                                               f"{MAX_UPLOAD_BYTES:,} bytes")
    _remove_stale_uploads(Path(root or tempfile.gettempdir()))
    directory = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=root))  # mode 0700: only this process's user
    for name in INVENTORY_FILES:
        (directory / name).write_bytes(files[name])
    return directory


def _remove_stale_uploads(root: Path, older_than: float = STALE_UPLOAD_SECONDS) -> None:
    now = time.time()
    for directory in root.glob(STAGE_PREFIX + "*"):
        try:
            if directory.is_dir() and now - directory.stat().st_mtime > older_than:
                shutil.rmtree(directory, ignore_errors=True)
        except FileNotFoundError:  # another session removed it first
            pass


def discard(directory: str | Path | None) -> None:
    """Delete a staged upload. Refuses any folder :func:`stage_upload` did not make."""
    if directory is None:
        return
    directory = Path(directory)
    if not directory.name.startswith(STAGE_PREFIX):
        raise ValueError(f"{directory} is not a staged upload")
    shutil.rmtree(directory, ignore_errors=True)


def published_places(con) -> tuple[gpd.GeoDataFrame, set[str]]:
    """The published areas (full-resolution polygons, WGS84) and venue ids, which an upload is checked against."""
    area = queries.table(con, "area")
    geometry = shapely.from_geojson(area["geometry"].to_numpy())
    areas = gpd.GeoDataFrame({"area_id": area["area_id"].astype("int64")}, geometry=geometry, crs="EPSG:4326")
    return areas, set(queries.venues(con)["venue_id"])


def validate(directory: str | Path, published: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate a staged inventory against the published areas and venues, exactly as a build would.

    Returns the DB-ready frames of :func:`core.ingest.inventory_load.load_inventory`; raises its InputError, which
    names the file, the row and the column.
    """
    con = db.connect(published or database_path())
    try:
        areas, venue_ids = published_places(con)
    finally:
        con.close()
    return load_inventory(directory, areas, venue_ids, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_ROWS)


def published_inventory(con) -> dict[str, pd.DataFrame]:
    """The published inventory in the upload format (CSV column names and order), to download, edit and re-upload.

    Booleans are written ``true``/``false`` and dates ``YYYY-MM-DD``, so the files load back unchanged.
    """
    out = {}
    for spec in FILES:
        frame = queries.table(con, spec.table)
        frame = frame.rename(columns={f.db_name: f.name for f in spec.fields})[spec.columns]
        for f in spec.fields:
            if f.kind == "boolean":
                frame[f.name] = frame[f.name].map({True: "true", False: "false"})
            elif f.kind == "date":
                frame[f.name] = pd.to_datetime(frame[f.name]).dt.strftime("%Y-%m-%d")
        out[spec.name] = frame
    return out


# --------------------------------------------------------------------------------------------------------------
# Preview: the uploaded inventory against the published one.


def row_changes(before: pd.DataFrame, after: pd.DataFrame, key: list[str],
                label: str | None = None, counts: Iterable[str] = ()) -> pd.DataFrame:
    """Rows added, removed and changed between two versions of a table, with what changed in each changed row.

    Returns one row per key that differs: the key columns, ``label`` (e.g. the name) when given, ``change``
    ('added', 'removed' or 'changed') and ``what changed`` ('weekly_capacity 20 → 24; …'). ``counts``: columns that
    count people, whose values of 1-10 are written "<11" (the small-numbers rule); a change is still told by the
    true values.

    Examples
    --------
    >>> old = pd.DataFrame({"id": ["a", "b", "c"], "cap": [1.0, 2.0, 3.0]})
    >>> new = pd.DataFrame({"id": ["b", "c", "d"], "cap": [2.0, 5.0, 1.0]})
    >>> row_changes(old, new, ["id"])[["id", "change", "what changed"]].values.tolist()
    [['c', 'changed', 'cap 3.0 → 5.0'], ['d', 'added', ''], ['a', 'removed', '']]
    >>> row_changes(old.assign(cap=[1, 2, 4]), new.assign(cap=[2, 30, 1]), ["id"], counts=["cap"]).iloc[0, -1]
    'cap <11 → 30.0'
    """
    both = before.merge(after, on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    columns = [c for c in before.columns if c not in key and c in after.columns]
    parts = []
    for c in columns:
        old, new = both[f"{c}_before"], both[f"{c}_after"]
        same = (old == new).fillna(False).astype(bool) | (old.isna() & new.isna())
        shown_old, shown_new = (_small_as_marker(old), _small_as_marker(new)) if c in set(counts) else (old, new)
        text = c + " " + shown_old.astype("string").fillna("–") + " → " + shown_new.astype("string").fillna("–")
        parts.append(text.where(~same & both["_merge"].eq("both").to_numpy()))
    what = pd.concat(parts, axis=1).apply(lambda r: "; ".join(r.dropna()), axis=1) if parts else ""
    change = both["_merge"].map({"left_only": "removed", "right_only": "added", "both": "changed"}).astype(str)
    out = both[key].copy()
    if label:
        out[label] = both[f"{label}_after"].fillna(both[f"{label}_before"])
    out["change"] = change
    out["what changed"] = what
    out = out.loc[out["change"].ne("changed") | out["what changed"].ne("")]
    order = out["change"].map({"changed": 0, "added": 1, "removed": 2})
    return out.assign(_o=order).sort_values(["_o", *key]).drop(columns="_o").reset_index(drop=True)


def _small_as_marker(values: pd.Series) -> pd.Series:
    """A count column for the preview's text: values of 1-10 as "<11", the rest as they are."""
    out = values.astype(object)
    return out.where(~is_small(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)), SUPPRESSED)


@dataclass
class Preview:
    """What publishing the upload would change, for the data owner to read before deciding."""

    counts: pd.DataFrame      # table, published rows, uploaded rows, added, removed, changed
    programmes: pd.DataFrame  # per programme that differs: program_id, name, change, what changed
    reach: pd.DataFrame       # per group: residents, share in reach before and after (0–1), change
    areas: pd.DataFrame       # per area: coverage per 1,000 and share in reach, before and after

    def summary(self) -> dict[str, int]:
        """Programmes added, removed and changed."""
        c = self.programmes["change"].value_counts()
        return {k: int(c.get(k, 0)) for k in ("added", "removed", "changed")}

    def headline(self) -> tuple[str, str, str]:
        """The citywide share of residents in reach after publishing, its change in points, and the share now."""
        r = self.reach.iloc[0]
        return (percent(r["share after"] * 100), f"{r['change'] * 100:+.1f} points",
                percent(r["share before"] * 100))


def coverage_change(before, after, params: coverage.CoverageParams | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Citywide reach by group and per-area coverage, before and after, with the default (or given) choices."""
    params = params or coverage.CoverageParams()
    old = coverage.compute(coverage.build_model(before), params)
    new = coverage.compute(coverage.build_model(after), params)
    reach = pd.DataFrame({"group": old.reach["group"], "residents": old.reach["residents"],
                          "share before": old.reach["share"], "share after": new.reach["share"].to_numpy()})
    reach["change"] = reach["share after"] - reach["share before"]
    a, b = old.areas.set_index("area_id"), new.areas.set_index("area_id")
    areas = pd.DataFrame({
        "area_id": a.index, "area": a["name"].to_numpy(),
        "coverage per 1,000 before": a["coverage_per_1000"].to_numpy(),
        "coverage per 1,000 after": b["coverage_per_1000"].reindex(a.index).to_numpy(),
        "share in reach before": a["reach_share"].to_numpy(),
        "share in reach after": b["reach_share"].reindex(a.index).to_numpy(),
    })
    change = areas["coverage per 1,000 after"] - areas["coverage per 1,000 before"]
    # Recomputing identical inputs in another order leaves ~1e-15 of float noise; that is no change.
    areas["coverage change"] = change.where(change.abs() > 1e-9, 0.0)
    areas = areas.sort_values("coverage change", key=lambda s: -s.abs(), kind="stable").reset_index(drop=True)
    return reach, areas


def preview(published: str | Path, inventory: Mapping[str, pd.DataFrame],
            params: coverage.CoverageParams | None = None) -> Preview:
    """Compare a validated inventory (from :func:`validate`) with the published database, without changing it."""
    before = db.connect(published)
    after = overlay(published, inventory)
    try:
        counts, programmes = [], None
        for table, key in TABLE_KEYS.items():
            old, new = queries.table(before, table), queries.table(after, table)
            # Only a signed-in data owner sees this, yet counts of 1-10 people go through the small-numbers rule
            # here too: the preview tells which programmes change, and the owner's own file holds the values.
            changes = row_changes(old, new, key, label="name" if table == "program" else None,
                                  counts=PERSON_COUNTS.get(table, ([], {}))[0])
            n = changes["change"].value_counts()
            counts.append({"table": TABLE_LABELS[table], "published rows": len(old), "uploaded rows": len(new),
                           **{k: int(n.get(k, 0)) for k in ("added", "removed", "changed")}})
            if table == "program":
                programmes = changes
        reach, areas = coverage_change(before, after, params)
    finally:
        after.close()
        before.close()
    return Preview(counts=pd.DataFrame(counts), programmes=programmes, reach=reach, areas=areas)


# --------------------------------------------------------------------------------------------------------------
# Publishing.


@contextmanager
def _publish_lock(out: Path) -> Iterator[None]:
    # One publish per database at a time; a second owner gets a clear message instead of racing the first.
    tag = hashlib.sha1(str(out.resolve()).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"atlas-publish-{tag}.lock"
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishBusy("another publish of this atlas is running; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(grant: auth.Grant | None, directory: str | Path, out: str | Path | None = None, *,
            progress: Callable[[str], None] = lambda _: None) -> dict[str, str]:
    """Rebuild the published database with the staged inventory in ``directory``, swapped in atomically.

    The raw reference data are those the published database was built from (its ``build_info``). The grant is
    checked first (defence in depth: the page is already hidden from anyone not signed in), then
    :func:`core.ingest.build.build` validates everything again, writes a new file and ``os.replace``-s it in.

    Raises
    ------
    core.serve.auth.NotAuthorised
        Without a valid data-owner grant; nothing is read or written.
    core.base.errors.InputError
        When the inventory is invalid; the published database is left as it was.
    PublishBusy
        When another publish of the same database is running.
    """
    grant = auth.require(grant)
    out = Path(out or database_path())
    with _publish_lock(out):
        new = _run_job("publish", Path(directory), out, progress)
    # The server log is the audit trail; the public database never records who published.
    log.warning("inventory published to %s by %s (%s) at %s", out, grant.user, grant.method, new.get("built_at"))
    return new


def rebuild(directory: str | Path, out: str | Path, progress: Callable[[str], None] = lambda _: None
            ) -> dict[str, str]:
    """Rebuild ``out`` from the raw data it was built from and the inventory in ``directory`` (in the job process)."""
    out = Path(out)
    con = db.connect(out)
    try:
        info = queries.build_info(con)
    finally:
        con.close()
    raw = Path(info["raw_dir"]) if info.get("raw_dir") else None
    pack = Path(info["pack_dir"]) if info.get("pack_dir") else None
    return build(out, raw, Path(directory), demo=info.get("data_kind") == "demo", pack_dir=pack,
                 reader=info.get("reader") or "chicago", progress=progress)


# --------------------------------------------------------------------------------------------------------------
# The check and the rebuild run in a job process (core.serve.admin_job), so a heavy upload costs the readers'
# process neither its CPU (Streamlit serves every session from threads sharing one interpreter lock) nor its memory.


def check(directory: str | Path, published: str | Path | None = None) -> Preview:
    """Validate a staged upload and preview what it would change, in a job process; returns the :class:`Preview`.

    Raises
    ------
    core.base.errors.InputError
        When the upload is invalid (file, row and column), including a file over :data:`MAX_ROWS` rows.
    JobFailed
        When the job fails for any other reason; its traceback is written to the server log.
    """
    return _run_job("check", Path(directory), Path(published or database_path()))


def _run_job(kind: str, directory: Path, published: Path, progress: Callable[[str], None] = lambda _: None):
    work = Path(tempfile.mkdtemp(prefix="atlas-job-"))  # mode 0700: the job's result, read back only by us
    result, stderr_path = work / "result", work / "stderr"
    command = [sys.executable, "-m", "core.serve.admin_job", kind, str(directory), str(published), str(result)]
    try:
        with open(stderr_path, "wb") as stderr:
            # stderr goes to a file, not a pipe, so a long traceback cannot fill a pipe and stall the job.
            job = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
            deadline = time.monotonic() + JOB_SECONDS
            try:
                for line in job.stdout:
                    progress(line.rstrip("\n"))
                    if time.monotonic() > deadline:
                        raise subprocess.TimeoutExpired(command, JOB_SECONDS)
                job.wait(max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                job.kill()
                job.wait()
                log.error("the %s job for %s took over %d s and was stopped", kind, directory, JOB_SECONDS)
                raise JobFailed(f"the {kind} took too long and was stopped") from None
        if job.returncode == 0:
            with open(result, "rb") as fh:
                return pickle.load(fh)
        if job.returncode == 2:
            e = json.loads(result.read_text())
            raise InputError(e["file"], e["row"], e["column"], e["message"])
        log.error("the %s job for %s failed (exit %s):\n%s", kind, directory, job.returncode,
                  stderr_path.read_text(errors="replace"))
        raise JobFailed(f"the {kind} stopped unexpectedly")
    finally:
        shutil.rmtree(work, ignore_errors=True)
