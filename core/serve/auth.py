"""Who may change the data: salted password hashes, sign-in with throttling, and signed grants for data owners.

The first part is plain Python (hash, verify, sign in, check a grant) and is tested without Streamlit. The
last part, :func:`sidebar_sign_in` and :func:`current_grant`, is the sign-in box the app shows; it imports
Streamlit lazily, so the rest of ``core`` never pulls it in through this module.

Secrets live only in ``.streamlit/secrets.toml`` (never in the repo; see ``.streamlit/secrets.toml.example``)::

    [admin]
    password_hash = "scrypt$131072$8$1$...$..."   # from: uv run python -m core.serve.auth
    owners = ["data.owner@city.gov"]              # e-mail addresses allowed in when [auth] (OIDC) is set up

When Streamlit's own OIDC sign-in is configured (an ``[auth]`` table), it is used and the password is not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets as _secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.serve.attempts import AttemptStore, MemoryAttempts, SharedAttempts

# OWASP's current minimum for scrypt (N = 2^17, r = 8, p = 1): about 128 MiB and a tenth of a second per try.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
PBKDF2_ITERATIONS = 600_000
SALT_BYTES = 16
GRANT_SECONDS = 8 * 3600
SHARED_USER = "data owner"

# Signs the grants this process hands out. A restart invalidates every grant, which simply asks owners to
# sign in again; nothing persisted depends on it.
_GRANT_KEY = _secrets.token_bytes(32)


class NotAuthorised(PermissionError):
    """Raised when something that changes published data is attempted without a valid data-owner grant."""


class SignInRefused(Exception):
    """A sign-in attempt failed; the message is safe to show (it never says which of name or password was wrong)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hash_password(password: str, *, method: str = "scrypt", n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P, iterations: int = PBKDF2_ITERATIONS, salt: bytes | None = None) -> str:
    """Hash a password with a fresh random salt, for ``[admin] password_hash`` in secrets.toml.

    The result carries its method and cost parameters, so :func:`verify_password` needs nothing else and the
    costs can be raised later without invalidating old hashes.

    Examples
    --------
    >>> h = hash_password("correct horse", n=2**10)
    >>> h.split("$")[:4]
    ['scrypt', '1024', '8', '1']
    >>> verify_password("correct horse", h), verify_password("wrong horse", h)
    (True, False)
    >>> verify_password("x", hash_password("x", method="pbkdf2_sha256", iterations=1000))
    True
    """
    if not password:
        raise ValueError("the password must not be empty")
    salt = salt if salt is not None else _secrets.token_bytes(SALT_BYTES)
    secret = password.encode("utf-8")
    if method == "scrypt":
        digest = hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_scrypt_maxmem(n, r, p), dklen=32)
        return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"
    if method == "pbkdf2_sha256":
        digest = hashlib.pbkdf2_hmac("sha256", secret, salt, iterations, dklen=32)
        return f"pbkdf2_sha256${iterations}${_b64(salt)}${_b64(digest)}"
    raise ValueError(f"unknown method {method!r}; use 'scrypt' or 'pbkdf2_sha256'")


def _scrypt_maxmem(n: int, r: int, p: int) -> int:
    # scrypt needs 128·r·N bytes for its table plus 128·r·p for its blocks; hashlib refuses above maxmem.
    return 128 * r * (n + p) + (1 << 20)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (a :func:`hash_password` string). Malformed hashes never match.

    The comparison takes the same time whatever the digest, so timing says nothing about how close a guess was.
    """
    try:
        parts = stored.strip().split("$")
        method = parts[0]
        if method == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
                return False
            salt, expected = _unb64(parts[4]), _unb64(parts[5])
            got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                                 maxmem=_scrypt_maxmem(n, r, p), dklen=len(expected))
        elif method == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 1_000 <= iterations <= 10_000_000:
                return False
            salt, expected = _unb64(parts[2]), _unb64(parts[3])
            got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, dklen=len(expected))
        else:
            return False
    except (ValueError, TypeError):
        return False
    return len(expected) >= 16 and hmac.compare_digest(got, expected)


# A hash of a random password, checked when the user name is unknown, so that an unknown name takes as long
# to refuse as a wrong password.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(_secrets.token_urlsafe(16))
    return _DUMMY_HASH


# --------------------------------------------------------------------------------------------------------------
# Who may sign in: read from the secrets mapping (st.secrets, or a dict in tests).


@dataclass(frozen=True)
class AdminConfig:
    """The data owners' sign-in settings, as read from secrets.toml.

    ``users`` maps a user name to its password hash (``password_hash`` alone is the shared user 'data owner');
    ``owners`` lists the e-mail addresses allowed in through OIDC; ``oidc`` says an ``[auth]`` table exists
    and ``provider`` names its ``[auth.<provider>]`` sub-table, if any.
    """

    users: Mapping[str, str] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    oidc: bool = False
    provider: str | None = None

    @property
    def mode(self) -> str | None:
        """'oidc', 'password', or None when neither is configured (then there is no admin area at all)."""
        if self.oidc and self.owners:
            return "oidc"
        if self.users:
            return "password"
        return None


def config_from_secrets(secrets: Mapping) -> AdminConfig:
    """Read the ``[admin]`` and ``[auth]`` tables of a secrets mapping; anything missing means 'not configured'.

    Examples
    --------
    >>> config_from_secrets({}).mode is None
    True
    >>> config_from_secrets({"admin": {"password_hash": "scrypt$..."}}).mode
    'password'
    >>> c = config_from_secrets({"admin": {"owners": ["A@City.gov"]},
    ...                          "auth": {"redirect_uri": "https://atlas/oauth2callback", "cookie_secret": "s",
    ...                                   "microsoft": {"client_id": "id"}}})
    >>> c.mode, c.provider, c.owners
    ('oidc', 'microsoft', ('a@city.gov',))
    """
    admin = dict(secrets.get("admin", {}) or {})
    users = {str(k): str(v) for k, v in dict(admin.get("users", {}) or {}).items() if v}
    if admin.get("password_hash"):
        users.setdefault(SHARED_USER, str(admin["password_hash"]))
    owners = tuple(sorted({str(e).strip().lower() for e in admin.get("owners", []) or [] if str(e).strip()}))
    auth = dict(secrets.get("auth", {}) or {})
    providers = [k for k, v in auth.items() if isinstance(v, Mapping)]
    provider = admin.get("provider") or (None if "client_id" in auth or not providers else providers[0])
    oidc = bool(auth) and ("client_id" in auth or bool(providers))
    return AdminConfig(users=users, owners=owners, oidc=oidc, provider=provider)


# --------------------------------------------------------------------------------------------------------------
# Sign-in and grants.


class Throttle:
    """Slow down wrong guesses from one client for one name with growing delays, across all sessions and workers.

    The key is the pair (client address, user name). The first ``free`` failures of a pair cost nothing; after
    that each failure makes the pair wait ``base`` · 2^k seconds (k failures beyond ``free``), up to ``cap``,
    before its next try. A pair is forgotten ``window`` seconds after its last failure, or on a success. So
    guesses from one address never keep the owner out when she signs in from her own.

    Where the failures are counted is ``store`` (:mod:`core.serve.attempts`): in this process by default, and in
    a file every worker shares for the app's own throttle, since a new session may land on any worker.

    Examples
    --------
    >>> now = [0.0]
    >>> t = Throttle(free=2, base=1.0, cap=60.0, clock=lambda: now[0])
    >>> key = ("203.0.113.9", "data owner")
    >>> t.fail(key); t.fail(key); t.wait(key), t.wait(("198.51.100.7", "data owner"))
    (1.0, 0.0)
    >>> now[0] = 1; t.fail(key); t.wait(key)
    2.0
    """

    def __init__(self, free: int = 5, base: float = 2.0, cap: float = 300.0, window: float = 3600.0,
                 clock=time.time, store: AttemptStore | None = None):
        # Wall-clock time by default: a shared store compares times recorded by different processes.
        self.free, self.base, self.cap, self.window, self.clock = free, base, cap, window, clock
        self.store = store if store is not None else MemoryAttempts()

    @staticmethod
    def _name(key) -> str:
        # The store keys on text; a unit separator does not occur in an address or a sign-in name.
        return "\x1f".join(map(str, key)) if isinstance(key, tuple) else str(key)

    def _failures(self, key) -> list[float]:
        """The pair's failures, oldest first, or none once its last failure is ``window`` seconds old."""
        times = self.store.since(self._name(key), 0.0)
        if not times or self.clock() - times[-1] >= self.window:
            return []
        return times

    def delay(self, failures: int) -> float:
        """Seconds a pair waits after ``failures`` failures: 0 for the first ``free``, then doubling to ``cap``."""
        return 0.0 if failures < self.free else min(self.cap, self.base * 2 ** (failures - self.free))

    def wait(self, key) -> float:
        """Seconds until ``key`` may try again (0 if it may try now)."""
        times = self._failures(key)
        return max(0.0, times[-1] + self.delay(len(times)) - self.clock()) if times else 0.0

    def fail(self, key) -> None:
        if not self._failures(key):
            self.store.clear(self._name(key))  # a forgotten pair starts again from nothing
        self.store.add(self._name(key), self.clock())

    def clear(self, key) -> None:
        self.store.clear(self._name(key))


# The proxy `atlas serve` starts runs on this machine and appends the client's address to X-Forwarded-For.
LOOPBACK = frozenset({None, "", "127.0.0.1", "::1", "localhost"})


def client_address(headers: Mapping, peer: str | None) -> str:
    """The reader's address: the last X-Forwarded-For entry when the request came through the local proxy.

    The header is trusted only from a loopback peer (the proxy on this machine; Streamlit reports loopback as
    None). Its last entry is the one the proxy added; entries before it are whatever the client sent.

    Examples
    --------
    >>> client_address({"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}, None)
    '203.0.113.9'
    >>> client_address({"X-Forwarded-For": "10.9.9.9"}, "192.0.2.1"), client_address({}, None)
    ('192.0.2.1', 'local')
    """
    if peer not in LOOPBACK:
        return str(peer)
    forwarded = headers.get("X-Forwarded-For") or headers.get("x-forwarded-for") or ""
    last = forwarded.split(",")[-1].strip()
    return last or "local"


THROTTLE = Throttle(store=SharedAttempts())
# Each scrypt check holds about 128 MiB; at most two at once, so a burst of sign-in attempts cannot exhaust memory.
_VERIFY_SLOTS = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class Grant:
    """Proof, signed by this process, that a data owner signed in; required to publish."""

    user: str
    method: str
    issued: float
    signature: str = field(repr=False)


def _signature(user: str, method: str, issued: float) -> str:
    msg = f"{user}\x1f{method}\x1f{issued!r}".encode("utf-8")
    return hmac.new(_GRANT_KEY, msg, hashlib.sha256).hexdigest()


def _issue(user: str, method: str, now: float | None = None) -> Grant:
    issued = time.time() if now is None else now
    return Grant(user, method, issued, _signature(user, method, issued))


def is_valid(grant: object, now: float | None = None) -> bool:
    """Whether ``grant`` was issued by this process by a successful sign-in and has not expired.

    Examples
    --------
    >>> is_valid(None), is_valid(Grant("me", "password", time.time(), "forged"))
    (False, False)
    """
    if not isinstance(grant, Grant):
        return False
    now = time.time() if now is None else now
    if not 0 <= now - grant.issued < GRANT_SECONDS:
        return False
    return hmac.compare_digest(grant.signature, _signature(grant.user, grant.method, grant.issued))


def require(grant: object) -> Grant:
    """Return ``grant`` if valid, else raise :class:`NotAuthorised`. Every function that publishes calls this."""
    if not is_valid(grant):
        raise NotAuthorised("publishing needs a signed-in data owner; sign in on the Admin page")
    return grant  # type: ignore[return-value]


def sign_in(config: AdminConfig, user: str, password: str, *, client: str = "local",
            throttle: Throttle = THROTTLE) -> Grant:
    """Check a user name and password against the configured hashes and return a grant, or raise SignInRefused.

    With a single ``password_hash`` the user name is ignored. ``client`` is the reader's address
    (:func:`client_address`): after ``throttle.free`` failures from that client for that name, it waits a growing
    delay before each further try (:class:`Throttle`), even with the right password; other clients do not.

    Examples
    --------
    >>> cfg = AdminConfig(users={"data owner": hash_password("s3cret-enough", n=2**10)})
    >>> is_valid(sign_in(cfg, "", "s3cret-enough", throttle=Throttle()))
    True
    """
    if config.mode != "password":
        raise SignInRefused("password sign-in is not configured")
    name = SHARED_USER if list(config.users) == [SHARED_USER] else user.strip()
    key = (client, name.lower())
    wait = throttle.wait(key)
    if wait > 0:
        raise SignInRefused(f"too many failed attempts; try again in {math.ceil(wait)} seconds")
    stored = config.users.get(name)
    with _VERIFY_SLOTS:
        ok = verify_password(password, stored if stored is not None else _dummy_hash())
    if not (ok and stored is not None):
        throttle.fail(key)
        raise SignInRefused("wrong user name or password")
    throttle.clear(key)
    return _issue(name, "password")


def grant_for_identity(config: AdminConfig, email: str | None, email_verified: bool | None = True) -> Grant | None:
    """A grant for an OIDC-signed-in user whose e-mail is in ``owners`` (and not marked unverified), else None.

    Examples
    --------
    >>> cfg = AdminConfig(owners=("owner@city.gov",), oidc=True)
    >>> grant_for_identity(cfg, "Owner@City.gov").user, grant_for_identity(cfg, "someone@else.org")
    ('owner@city.gov', None)
    """
    if config.mode != "oidc" or not email or email_verified is False:
        return None
    email = email.strip().lower()
    return _issue(email, "oidc") if email in config.owners else None


# --------------------------------------------------------------------------------------------------------------
# The Streamlit side: the sign-in box and the current session's grant.

GRANT_KEY = "_atlas_admin_grant"


def _st_config() -> AdminConfig:
    import streamlit as st

    try:
        return config_from_secrets(st.secrets.to_dict())
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning an empty mapping
        return AdminConfig()


def current_grant() -> Grant | None:
    """The signed-in data owner's grant for this browser session, or None."""
    import streamlit as st

    config = _st_config()
    if config.mode == "oidc":
        user = st.user
        if not user.is_logged_in:
            return None
        return grant_for_identity(config, user.get("email"), user.get("email_verified"))
    grant = st.session_state.get(GRANT_KEY)
    if config.mode == "password" and is_valid(grant):
        return grant
    st.session_state.pop(GRANT_KEY, None)
    return None


def sidebar_sign_in() -> Grant | None:
    """Show the data owners' sign-in box at the foot of the sidebar and return the session's grant, if any.

    Shows nothing when secrets.toml configures no admin sign-in, so a public deployment has no admin area.
    """
    import streamlit as st

    config = _st_config()
    if config.mode is None:
        return None
    grant = current_grant()
    with st.sidebar.expander("Data owners", expanded=False, icon=":material/lock:"):
        if grant is not None:
            st.caption(f"Signed in as {grant.user}.")
            if st.button("Sign out", key="admin_sign_out"):
                st.session_state.pop(GRANT_KEY, None)
                if config.mode == "oidc":
                    st.logout()
                st.rerun()
        elif config.mode == "oidc":
            if st.user.is_logged_in:
                st.caption("This account is not a data owner of the atlas.")
                if st.button("Sign out", key="admin_sign_out"):
                    st.logout()
            elif st.button("Sign in", key="admin_sign_in"):
                if config.provider:
                    st.login(config.provider)
                else:
                    st.login()
        else:
            with st.form("admin_sign_in_form", clear_on_submit=True, border=False):
                shared = list(config.users) == [SHARED_USER]
                user = "" if shared else st.text_input("User name", key="admin_user")
                password = st.text_input("Password", type="password", key="admin_password")
                submitted = st.form_submit_button("Sign in")
            if submitted:
                try:
                    client = client_address(st.context.headers, st.context.ip_address)
                    st.session_state[GRANT_KEY] = sign_in(config, user, password, client=client)
                    st.rerun()
                except SignInRefused as exc:
                    st.error(str(exc))
    return grant


def main() -> int:
    """``uv run python -m core.serve.auth``: ask for a password twice and print the secrets.toml line for it."""
    import getpass

    first = getpass.getpass("New data-owner password: ")
    if len(first) < 12:
        print("Use at least 12 characters.")
        return 1
    if getpass.getpass("Again: ") != first:
        print("The two passwords differ.")
        return 1
    print("Put this in .streamlit/secrets.toml (never commit that file):\n")
    print(f'[admin]\npassword_hash = "{hash_password(first)}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
