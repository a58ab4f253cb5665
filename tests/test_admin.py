"""The admin area: password hashing and sign-in, the page hidden without a grant, and upload → preview → publish."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.base.errors import InputError
from core.serve import admin, auth
from tests.conftest import REPO

PASSWORD = "correct horse battery staple"
# A cheap but real scrypt hash (N = 2^10) keeps the tests fast; production hashes use N = 2^17.
SECRETS = {"admin": {"password_hash": auth.hash_password(PASSWORD, n=2**10)}}


def _fresh(path: Path) -> duckdb.DuckDBPyConnection:
    """Read whatever file is at ``path`` now. A plain duckdb.connect(path) would return the instance DuckDB
    caches per path while the app (in this process) still holds a connection to the replaced file."""
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS fresh (READ_ONLY)", [str(path)])
    con.execute("USE fresh")
    return con


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(tmp_path, atlas_db, monkeypatch) -> Path:
    """A private copy of the session database that the app reads and a publish may replace."""
    out = tmp_path / "pub" / "atlas.duckdb"
    out.parent.mkdir()
    shutil.copy(atlas_db, out)
    monkeypatch.setenv("ATLAS_DB", str(out))
    return out


def _inventory(db_path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return admin.published_inventory(con)
    finally:
        con.close()


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _grant() -> auth.Grant:
    return auth.sign_in(auth.config_from_secrets(SECRETS), "", PASSWORD, throttle=auth.Throttle())


# ---------------------------------------------------------------------------------------------------------------
# Hashing, sign-in and grants, without Streamlit.


def test_hashes_are_salted_and_verify_only_the_right_password():
    a, b = auth.hash_password("pw-one-two-three", n=2**10), auth.hash_password("pw-one-two-three", n=2**10)
    assert a != b, "a fresh salt each time"
    assert auth.verify_password("pw-one-two-three", a) and auth.verify_password("pw-one-two-three", b)
    assert not auth.verify_password("pw-one-two-thre", a)
    # Recompute by hand from the stored salt: the format is what the docstring says it is.
    method, n, r, p, salt, digest = a.split("$")
    import base64

    expected = hashlib.scrypt(b"pw-one-two-three", salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                              dklen=32)
    assert (method, base64.b64decode(digest)) == ("scrypt", expected)
    pb = auth.hash_password("x-y-z", method="pbkdf2_sha256", iterations=1000)
    assert auth.verify_password("x-y-z", pb) and not auth.verify_password("x-y", pb)


@pytest.mark.parametrize("stored", ["", "plain-text-password", "scrypt$3$8$1$AAAA$AAAA", "scrypt$1024$8$1$!!$!!",
                                    "md5$abc", "pbkdf2_sha256$10$c2FsdA==$c2FsdHNhbHRzYWx0c2FsdA=="])
def test_malformed_or_weak_hashes_never_match(stored):
    assert not auth.verify_password("plain-text-password", stored)


def test_sign_in_throttles_after_repeated_failures():
    now = [1000.0]
    throttle = auth.Throttle(free=3, window=60, clock=lambda: now[0])
    config = auth.config_from_secrets(SECRETS)
    for _ in range(3):
        with pytest.raises(auth.SignInRefused, match="wrong"):
            auth.sign_in(config, "", "guess", throttle=throttle)
    with pytest.raises(auth.SignInRefused, match="too many"):
        auth.sign_in(config, "", PASSWORD, throttle=throttle)  # even the right password, while locked
    now[0] += 61
    assert auth.is_valid(auth.sign_in(config, "", PASSWORD, throttle=throttle))


def test_named_users_and_unknown_names():
    config = auth.config_from_secrets({"admin": {"users": {"alice": auth.hash_password("alice-pass", n=2**10)}}})
    assert auth.sign_in(config, "alice", "alice-pass", throttle=auth.Throttle()).user == "alice"
    with pytest.raises(auth.SignInRefused, match="wrong user name or password"):
        auth.sign_in(config, "mallory", "alice-pass", throttle=auth.Throttle())


def test_grants_cannot_be_forged_or_outlive_their_time():
    grant = _grant()
    assert auth.is_valid(grant)
    assert not auth.is_valid(auth.Grant(grant.user, grant.method, grant.issued, "0" * 64))
    assert not auth.is_valid(auth.Grant("someone else", grant.method, grant.issued, grant.signature))
    assert not auth.is_valid(grant, now=grant.issued + auth.GRANT_SECONDS + 1)
    assert not auth.is_valid(True) and not auth.is_valid({"user": "x"})


def test_oidc_is_used_when_configured_and_admits_only_listed_owners():
    secrets = {"auth": {"redirect_uri": "https://atlas.example/oauth2callback", "cookie_secret": "x",
                        "client_id": "id", "client_secret": "s",
                        "server_metadata_url": "https://id.example/.well-known/openid-configuration"},
               "admin": {"owners": ["Owner@City.gov"], "password_hash": SECRETS["admin"]["password_hash"]}}
    config = auth.config_from_secrets(secrets)
    assert config.mode == "oidc"
    with pytest.raises(auth.SignInRefused):
        auth.sign_in(config, "", PASSWORD, throttle=auth.Throttle())  # no password back door beside OIDC
    assert auth.grant_for_identity(config, "owner@city.gov").user == "owner@city.gov"
    assert auth.grant_for_identity(config, "visitor@example.org") is None
    assert auth.grant_for_identity(config, "owner@city.gov", email_verified=False) is None
    assert auth.config_from_secrets({}).mode is None


# ---------------------------------------------------------------------------------------------------------------
# The page is unreachable, and publishing impossible, without signing in.


def test_sign_in_box_grants_only_with_the_right_password():
    script = """
import streamlit as st
from core.serve import auth
grant = auth.sidebar_sign_in()
st.markdown("signed in" if grant else "signed out")
"""
    at = AppTest.from_string(script, default_timeout=30)
    at.secrets.update(SECRETS)
    at.run()
    assert at.markdown[0].value == "signed out"
    at.text_input(key="admin_password").input("not the password")
    at.button[0].click().run()
    assert at.markdown[0].value == "signed out"
    assert any("wrong" in e.value for e in at.error)
    at.text_input(key="admin_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.markdown[-1].value == "signed in"
    assert not at.exception


def test_no_sign_in_box_without_secrets():
    at = AppTest.from_string("from core.serve import auth\nauth.sidebar_sign_in()", default_timeout=30).run()
    assert not at.expander and not at.text_input and not at.exception


def test_admin_page_is_not_in_the_navigation_until_signed_in(published):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.secrets.update(SECRETS)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("pages/admin.py")
    at.session_state[auth.GRANT_KEY] = _grant()  # what the sign-in box stores on success
    at.run()
    at.switch_page("pages/admin.py").run()  # registered now
    assert not at.exception and at.title[0].value.startswith("Admin")
    assert at.get("file_uploader"), "the signed-in owner gets the upload form"


def test_admin_page_refuses_a_session_without_a_valid_grant(published):
    for state in ({}, {auth.GRANT_KEY: auth.Grant("x", "password", time.time(), "forged")}):
        at = AppTest.from_file(str(REPO / "pages" / "admin.py"), default_timeout=60)
        at.secrets.update(SECRETS)
        for k, v in state.items():
            at.session_state[k] = v
        at.run()
        assert any("data owners" in e.value for e in at.error)
        assert not at.get("file_uploader") and not at.button


def test_publish_refuses_without_a_valid_grant(published, tmp_path):
    before = _digest(published)
    staged = admin.stage_upload({k: _csv(v) for k, v in _inventory(published).items()})
    try:
        for grant in (None, auth.Grant("x", "password", time.time(), "forged"), "admin", True):
            with pytest.raises(auth.NotAuthorised):
                admin.publish(grant, staged, published)
    finally:
        admin.discard(staged)
    assert _digest(published) == before
    assert not list(published.parent.glob(".atlas-build-*"))


def test_staging_refuses_missing_unknown_and_oversized_files():
    good = {name: b"a,b\n1,2\n" for name in admin.INVENTORY_FILES}
    with pytest.raises(InputError, match="was not uploaded") as e:
        admin.stage_upload({k: v for k, v in good.items() if k != "funding.csv"})
    assert e.value.file == "funding.csv"
    with pytest.raises(InputError, match="not an inventory file"):
        admin.stage_upload(good | {"../../etc/passwd": b"x"})
    with pytest.raises(InputError, match="over the limit") as e:
        admin.stage_upload(good | {"programs.csv": b"x" * (admin.MAX_UPLOAD_BYTES + 1)})
    assert e.value.file == "programs.csv"
    with pytest.raises(ValueError):
        admin.discard(REPO)  # only staged uploads are ever deleted


def test_an_abandoned_upload_is_removed_by_a_later_one(tmp_path):
    import os

    good = {name: b"a,b\n1,2\n" for name in admin.INVENTORY_FILES}
    abandoned, recent = admin.stage_upload(good, root=tmp_path), admin.stage_upload(good, root=tmp_path)
    old = time.time() - admin.STALE_UPLOAD_SECONDS - 60
    os.utime(abandoned, (old, old))
    other = tmp_path / "not-an-upload"
    other.mkdir()
    os.utime(other, (old, old))
    new = admin.stage_upload(good, root=tmp_path)
    assert not abandoned.exists() and recent.exists() and new.exists() and other.exists()


# ---------------------------------------------------------------------------------------------------------------
# Signed in: upload, preview, publish — end to end on the page.


def _edited(published: Path, removed: int = 1) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """The published inventory with the last ``removed`` programmes removed, one's capacity changed and one added."""
    inv = _inventory(published)
    prog = inv["programs.csv"]
    gone, changed = prog["program_id"].iloc[-removed:].tolist(), prog["program_id"].iloc[0]
    new_row = prog.iloc[[1]].assign(program_id="NEW-0001", name="New Peer Circle")
    prog = pd.concat([prog.iloc[:-removed], new_row], ignore_index=True)
    old_capacity = float(prog.loc[0, "weekly_capacity"])
    prog.loc[0, "weekly_capacity"] = old_capacity + 7
    inv["programs.csv"] = prog
    for name in ("funding.csv", "program_periods.csv"):
        inv[name] = inv[name].loc[~inv[name]["program_id"].isin(gone)]
    return inv, {"gone": gone, "changed": changed, "capacity": old_capacity + 7, "n": len(prog)}


def _admin_page(**state) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / "admin.py"), default_timeout=300)
    at.secrets.update(SECRETS)
    at.session_state[auth.GRANT_KEY] = _grant()
    return at.run()


def _upload(at: AppTest, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        at.get("file_uploader")[list(admin.INVENTORY_FILES).index(name)].set_value((name, data, "text/csv"))
    at.run()


def test_a_bad_upload_is_refused_with_file_row_and_column(published, jobs_in_process):
    inv = _inventory(published)
    inv["funding.csv"].loc[inv["funding.csv"].index[3], "program_id"] = "NO-SUCH-PROGRAMME"
    at = _admin_page()
    _upload(at, {k: _csv(v) for k, v in inv.items()})
    at.button(key="admin_check").click().run()
    message = html.unescape(" ".join(e.value for e in at.error))  # as the reader sees it, escaped text decoded
    assert "funding.csv: row 5, column 'program_id'" in message and "nothing was published" in message
    assert "admin_preview" not in at.session_state and "admin_staged" not in at.session_state


@pytest.mark.slow
def test_upload_preview_and_publish_end_to_end(published):
    before = _digest(published)
    inv, facts = _edited(published)
    at = _admin_page()
    _upload(at, {k: _csv(v) for k, v in inv.items()})
    at.button(key="admin_check").click().run()
    assert not at.exception and not at.error
    assert "**1** added, **1** removed, **1** changed" in " ".join(m.value for m in at.markdown)
    changes = at.dataframe[1].value.set_index("program_id")  # counts, programmes, reach, areas
    assert changes.loc["NEW-0001", "change"] == "added" and changes.loc[facts["gone"][0], "change"] == "removed"
    assert changes.loc[facts["changed"], "what changed"].startswith("weekly_capacity ")
    staged = Path(at.session_state["admin_staged"])
    assert staged.is_dir() and _digest(published) == before, "a preview publishes nothing"

    at.button(key="admin_publish").click().run()
    assert not at.exception and not at.error
    assert any("Published" in s.value for s in at.success)
    assert _digest(published) != before and not staged.exists()
    con = _fresh(published)
    try:
        ids = {r[0] for r in con.execute("SELECT program_id FROM program").fetchall()}
        capacity = con.execute("SELECT weekly_capacity FROM program WHERE program_id = ?",
                               [facts["changed"]]).fetchone()[0]
        kind = con.execute("SELECT value FROM build_info WHERE key = 'inventory_kind'").fetchone()[0]
    finally:
        con.close()
    assert len(ids) == facts["n"] and "NEW-0001" in ids and facts["gone"][0] not in ids
    assert capacity == facts["capacity"] and kind == "supplied"
    assert not list(published.parent.glob(".atlas-build-*"))


def test_discard_removes_the_staged_upload_and_publishes_nothing(published, jobs_in_process):
    before = _digest(published)
    at = _admin_page()
    _upload(at, {k: _csv(v) for k, v in _edited(published)[0].items()})
    at.button(key="admin_check").click().run()
    staged = Path(at.session_state["admin_staged"])
    at.button(key="admin_discard").click().run()
    assert not staged.exists() and "admin_preview" not in at.session_state
    assert _digest(published) == before


def test_a_second_publish_of_the_same_atlas_waits_its_turn(published):
    before = _digest(published)
    staged = admin.stage_upload({k: _csv(v) for k, v in _inventory(published).items()})
    try:
        with admin._publish_lock(published):  # another owner's publish is running
            with pytest.raises(admin.PublishBusy):
                admin.publish(_grant(), staged, published)
    finally:
        admin.discard(staged)
    assert _digest(published) == before


def test_the_running_app_serves_a_newly_published_database(published, caplog, jobs_in_process):
    """The app keeps its connection cached across reruns; after a publish it must read the new file."""
    def programme_rows(at: AppTest) -> int:
        table = next(d.value for d in at.dataframe if list(d.value.columns) == ["Table", "Rows"])
        return int(table.set_index("Table").loc["program", "Rows"])

    at = AppTest.from_file(str(REPO / "pages" / "data_methods.py"), default_timeout=120).run()
    before = programme_rows(at)
    inv, facts = _edited(published, removed=2)
    staged = admin.stage_upload({k: _csv(v) for k, v in inv.items()})
    try:
        admin.publish(_grant(), staged, published)
    finally:
        admin.discard(staged)
    at.run()
    assert not at.exception
    assert any("published" in r.getMessage() and "by data owner (password)" in r.getMessage()
               for r in caplog.records), "the server log is the audit trail"
    assert programme_rows(at) == facts["n"] == before - 1


def test_the_example_secrets_parse_and_admit_nobody():
    import tomllib

    example = tomllib.loads((REPO / ".streamlit" / "secrets.toml.example").read_text())
    config = auth.config_from_secrets(example)
    assert config.mode == "password"
    for guess in ("", "REPLACE-WITH-HASH", "password", "admin"):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in(config, "", guess, throttle=auth.Throttle())


def test_no_secret_is_kept_in_the_repository():
    import re

    assert ".streamlit/secrets.toml" in (REPO / ".gitignore").read_text().splitlines()
    hash_like = re.compile(r"(scrypt\$\d+\$\d+\$\d+|pbkdf2_sha256\$\d+)\$[A-Za-z0-9+/]{16,}={0,2}\$[A-Za-z0-9+/]{32,}")
    secret_like = re.compile(r"(client_secret|cookie_secret)\s*=\s*\"[^\".]{12,}\"")
    skip = {".venv", ".git", "artifacts", "__pycache__", ".pytest_cache", "data"}
    for path in REPO.rglob("*"):
        if path.is_file() and not skip & set(path.relative_to(REPO).parts) and path.name != "secrets.toml" \
                and path.suffix in {".py", ".toml", ".md", ".example", ".txt", ".cfg", ".yml", ".yaml", ".json"}:
            text = path.read_text(errors="ignore")
            assert not hash_like.search(text), f"a password hash is committed in {path}"
            assert not secret_like.search(text), f"an OIDC secret is committed in {path}"


def test_the_preview_writes_small_people_counts_as_under_11(published):
    # The preview is for a signed-in data owner, yet what it shows of counts of people obeys the small-numbers rule:
    # it tells that a programme's volunteer count changes, never a value of 1-10.
    inv = _inventory(published)
    prog = inv["programs.csv"]
    before = pd.to_numeric(prog["volunteer_count"], errors="coerce")
    i, j = before.between(1, 10).idxmax(), before.ge(11).idxmax()
    prog.loc[i, "volunteer_count"] = 10 if before[i] != 10 else 9     # small to small
    prog.loc[j, "volunteer_count"] = 2                                # large to small
    staged = admin.stage_upload({k: _csv(v) for k, v in inv.items()})
    try:
        preview = admin.preview(published, admin.validate(staged, published))
    finally:
        admin.discard(staged)
    text = preview.programmes.set_index("program_id")["what changed"]
    assert "volunteer_count <11 → <11" in text[prog.loc[i, "program_id"]]
    assert re.search(r"volunteer_count [\d.]+ → <11", text[prog.loc[j, "program_id"]])
    for old, new in re.findall(r"volunteer_count (\S+) → ([^;\s]+)", " ".join(text)):
        for value in (old, new):
            assert value in ("<11", "–") or not 1 <= float(value) <= 10, value
