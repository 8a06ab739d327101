"""Who may do what: editors (the team, with the workspace secret) and reviewers (one share link, read-only).

- **Reviewers** open ``/review?id=...``. ``app.py`` then registers the Review page and nothing else, so no other
  page, no list of scenarios and no editing control can be reached from a link session, whatever URL or page the
  browser asks for (Streamlit runs the default page for an unregistered one).
- **Editors** prove who they are with the *workspace secret* set by whoever runs the server:
  ``$LABELWISE_EDITOR_SECRET`` (plain text, hashed with a random salt when first read), or
  ``$LABELWISE_EDITOR_SECRET_HASH`` (``python -m dashboard.access hash``: the server never sees the secret), or the
  same keys (``editor_secret`` / ``editor_secret_hash``) under ``[labelwise]`` in Streamlit's ``secrets.toml``.
  A typed secret is compared with the stored PBKDF2-SHA256 hash in constant time; a session lasts
  ``$LABELWISE_SESSION_HOURS`` hours (default 8) from its login, and wrong secrets slow a session down.
- **No secret** (``make run`` on a laptop): editing is open, every editor page says so, and the app serves nothing
  but a refusal when the server listens beyond this machine (``server.address`` unset, ``0.0.0.0`` or another
  interface), unless ``$LABELWISE_ALLOW_OPEN=1`` says it is meant.

Editor sessions live in Streamlit's server-side session state: a browser reload starts a new session, so it asks
for the secret again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from simulations.errors import LabelwiseError

SECRET_ENV = "LABELWISE_EDITOR_SECRET"
SECRET_HASH_ENV = "LABELWISE_EDITOR_SECRET_HASH"
ALLOW_OPEN_ENV = "LABELWISE_ALLOW_OPEN"
SESSION_HOURS_ENV = "LABELWISE_SESSION_HOURS"
SECRETS_SECTION = "labelwise"
DEFAULT_SESSION_HOURS = 8.0
#: PBKDF2 rounds: about 0.1 s a guess on one core, which also slows down guessing through the login form.
ITERATIONS = 200_000
HASH_SCHEME = "pbkdf2_sha256"
#: Wrong secrets a session may type before it has to wait (doubling, up to :data:`MAX_WAIT` seconds).
FREE_TRIES = 3
MAX_WAIT = 60.0
#: Wrong secrets the whole server accepts per minute, all sessions together: a script opening new sessions gets no
#: more tries than that (logged-in editors are not affected; a flood delays logins by at most a minute).
SERVER_TRIES_PER_MINUTE = 30
#: Shortest plain-text secret accepted: a short one can be guessed despite the waits.
MIN_SECRET = 12
LOOPBACK = ("127.0.0.1", "localhost", "::1")

EDITOR = "lw_editor_session"
FAILS = "lw_login_fails"
WAIT_UNTIL = "lw_login_wait_until"
EXPIRED = "lw_editor_expired"
VISITOR = "lw_visitor_id"

Role = Literal["editor", "login", "refused"]
_log = logging.getLogger(__name__)
_refusal_logged = False


class AccessConfigError(LabelwiseError):
    """The server's access settings cannot be used.

    Parameters
    ----------
    setting : str
        Which setting is wrong (an environment variable or a ``secrets.toml`` key).
    message, hint : str
        What is wrong and how to fix it.
    """

    def __init__(self, setting: str, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.setting = setting


@dataclass(frozen=True)
class SecretHash:
    """A salted PBKDF2-SHA256 hash of the workspace secret.

    Attributes
    ----------
    salt, digest : bytes
    iterations : int
    """

    salt: bytes
    digest: bytes
    iterations: int = ITERATIONS

    @classmethod
    def of(cls, secret: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> SecretHash:
        salt = secrets.token_bytes(16) if salt is None else salt
        return cls(salt=salt, digest=_derive(secret, salt=salt, iterations=iterations), iterations=iterations)

    def matches(self, candidate: str) -> bool:
        """Whether ``candidate`` is the secret; constant time in where the first difference is."""
        return hmac.compare_digest(_derive(candidate, salt=self.salt, iterations=self.iterations), self.digest)

    def encode(self) -> str:
        """``pbkdf2_sha256$<iterations>$<salt>$<digest>`` (URL-safe base64), what :meth:`decode` reads."""
        b64 = base64.urlsafe_b64encode
        return f"{HASH_SCHEME}${self.iterations}${b64(self.salt).decode()}${b64(self.digest).decode()}"

    @classmethod
    def decode(cls, text: str, *, setting: str = SECRET_HASH_ENV) -> SecretHash:
        """Read :meth:`encode`'s format.

        Raises
        ------
        AccessConfigError
            Not that format (named by ``setting``).
        """
        try:
            scheme, rounds, salt, digest = str(text).strip().split("$")
            if scheme != HASH_SCHEME or int(rounds) < 1:
                raise ValueError(scheme)
            return cls(salt=base64.urlsafe_b64decode(salt), digest=base64.urlsafe_b64decode(digest),
                       iterations=int(rounds))
        except (ValueError, binascii.Error) as exc:
            raise AccessConfigError(setting, f"{setting} is not a Labelwise secret hash.",
                                    "Make one with `python -m dashboard.access hash` and paste its whole output."
                                    ) from exc


def _derive(secret: str, *, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", str(secret).encode("utf-8"), salt, iterations)


@dataclass(frozen=True)
class Workspace:
    """The server's access settings.

    Attributes
    ----------
    secret : SecretHash or None
        The editors' secret, hashed; None: no secret (editing open to whoever reaches the server).
    session_seconds : float
        How long an editor session lasts after its login.
    address : str or None
        ``server.address``: where the server listens (None: every interface, Streamlit's default).
    allow_open : bool
        ``$LABELWISE_ALLOW_OPEN=1``: serve without a secret on a network interface, on purpose.
    """

    secret: SecretHash | None
    session_seconds: float = DEFAULT_SESSION_HOURS * 3600
    address: str | None = "127.0.0.1"
    allow_open: bool = False

    @property
    def protected(self) -> bool:
        return self.secret is not None

    @property
    def local_only(self) -> bool:
        """Whether only this machine can connect (a loopback address or a Unix socket)."""
        a = (self.address or "").strip().lower()
        return a in LOOPBACK or a.startswith("127.") or a.startswith("unix://")

    @property
    def refused(self) -> bool:
        """No secret, reachable from the network, and nobody said that is meant: serve nothing."""
        return not self.protected and not self.local_only and not self.allow_open


# One hash per secret text per process, with a fresh random salt: the text is only kept as a salted digest too.
_derived: dict[bytes, SecretHash] = {}
_PROCESS_SALT = secrets.token_bytes(16)


def _hash_plain(secret: str) -> SecretHash:
    key = hmac.new(_PROCESS_SALT, secret.encode("utf-8"), "sha256").digest()
    if key not in _derived:
        _derived.clear()
        _derived[key] = SecretHash.of(secret)
    return _derived[key]


def _streamlit_secret(key: str) -> str | None:
    try:
        import streamlit as st

        section = st.secrets.get(SECRETS_SECTION)
        value = section.get(key) if section is not None else None
    except Exception:  # no secrets.toml (FileNotFoundError, StreamlitSecretNotFoundError) or not under Streamlit
        return None
    return str(value) if value else None


def workspace(*, address: str | None = None, env: dict[str, str] | None = None) -> Workspace:
    """The access settings from the environment and Streamlit's secrets (the environment wins).

    Parameters
    ----------
    address : str, optional
        Where the server listens; default ``st.get_option("server.address")``.
    env : dict, optional
        Instead of ``os.environ`` (tests).

    Raises
    ------
    AccessConfigError
        A secret hash that cannot be read, an empty secret, or a session length that is not a positive number.
    """
    env = os.environ if env is None else env
    if address is None:
        address = _server_address()
    hashed = env.get(SECRET_HASH_ENV) or (None if env.get(SECRET_ENV) else _streamlit_secret("editor_secret_hash"))
    plain = env.get(SECRET_ENV) or (None if hashed else _streamlit_secret("editor_secret"))
    secret: SecretHash | None = None
    if hashed:
        secret = SecretHash.decode(hashed)
    elif plain is not None:
        if len(plain.strip()) < MIN_SECRET:
            raise AccessConfigError(SECRET_ENV, f"{SECRET_ENV} is set but shorter than {MIN_SECRET} characters.",
                                    "Set it to a long random secret (`python -m dashboard.access new-secret`), "
                                    "or unset it to run on this machine only.")
        secret = _hash_plain(plain)
    hours_text = env.get(SESSION_HOURS_ENV, "")
    try:
        hours = float(hours_text) if hours_text else DEFAULT_SESSION_HOURS
        if not 0 < hours < 24 * 366:
            raise ValueError(hours_text)
    except ValueError as exc:
        raise AccessConfigError(SESSION_HOURS_ENV, f"{SESSION_HOURS_ENV}={hours_text!r} is not a session length.",
                                "Give the hours an editor stays logged in, e.g. 8.") from exc
    return Workspace(secret=secret, session_seconds=hours * 3600, address=address,
                     allow_open=env.get(ALLOW_OPEN_ENV, "") == "1")


def _server_address() -> str | None:
    try:
        import streamlit as st

        value = st.get_option("server.address")
    except Exception:  # not under Streamlit
        return None
    return str(value) if value else None


# ---- editor sessions -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EditorSession:
    """A logged-in editor's browser session.

    Attributes
    ----------
    id : str
        A random id, what the audit table records as who made a change.
    started, expires : float
        ``time.time()`` of the login and of its end.
    """

    id: str
    started: float
    expires: float

    @property
    def actor(self) -> str:
        return f"editor:{self.id}"


def _state() -> Any:
    import streamlit as st

    return st.session_state


def editor_session(ws: Workspace, *, now: float | None = None) -> EditorSession | None:
    """This browser session's editor login, while it lasts (None once it expired: marked so the form says so)."""
    state = _state()
    sess: EditorSession | None = state.get(EDITOR)
    if sess is None:
        return None
    if (time.time() if now is None else now) >= sess.expires:
        del state[EDITOR]
        state[EXPIRED] = True
        return None
    return sess


def role(ws: Workspace) -> Role:
    """What this browser session may do on the editors' side (a share link never gets that far)."""
    if ws.refused:
        return "refused"
    if not ws.protected or editor_session(ws) is not None:
        return "editor"
    return "login"


def actor(ws: Workspace | None = None) -> str:
    """Who makes a change, for the audit table: the editor session, or this browser session when editing is open."""
    state = _state()
    sess: EditorSession | None = state.get(EDITOR)
    if sess is not None:
        return sess.actor
    if VISITOR not in state:
        state[VISITOR] = secrets.token_hex(6)
    return f"open:{state[VISITOR]}"


@dataclass(frozen=True)
class LoginOutcome:
    """What one typed secret did: ``ok``, or how long the session must wait before the next try."""

    ok: bool
    wait: float = 0.0


_server_fails: deque[float] = deque()
_server_lock = threading.Lock()


def _server_wait(now: float) -> float:
    """Seconds until the server accepts another try (all sessions together), 0 when it does."""
    with _server_lock:
        while _server_fails and _server_fails[0] <= now - 60:
            _server_fails.popleft()
        if len(_server_fails) < SERVER_TRIES_PER_MINUTE:
            return 0.0
        return _server_fails[0] + 60 - now


def try_login(ws: Workspace, candidate: str, *, now: float | None = None) -> LoginOutcome:
    """Check a typed secret; on success the session becomes an editor session for ``ws.session_seconds``.

    A session waits after :data:`FREE_TRIES` wrong secrets (doubling up to :data:`MAX_WAIT` s), and the server takes
    at most :data:`SERVER_TRIES_PER_MINUTE` wrong secrets a minute from all sessions together.
    """
    state = _state()
    now = time.time() if now is None else now
    wait = max(float(state.get(WAIT_UNTIL, 0.0)) - now, _server_wait(now))
    if wait > 0:
        return LoginOutcome(ok=False, wait=wait)
    if ws.secret is not None and candidate and ws.secret.matches(candidate):
        state[EDITOR] = EditorSession(id=secrets.token_hex(6), started=now, expires=now + ws.session_seconds)
        for k in (FAILS, WAIT_UNTIL, EXPIRED):
            state.pop(k, None)
        return LoginOutcome(ok=True)
    with _server_lock:
        _server_fails.append(now)
    fails = int(state.get(FAILS, 0)) + 1
    state[FAILS] = fails
    wait = 0.0 if fails < FREE_TRIES else min(2.0 ** (fails - FREE_TRIES + 1), MAX_WAIT)
    state[WAIT_UNTIL] = now + wait
    return LoginOutcome(ok=False, wait=wait)


def log_out() -> None:
    _state().pop(EDITOR, None)


# ---- what the pages draw ----------------------------------------------------------------------------------------
def login_page() -> None:
    """The only page a visitor without an editor session gets when the workspace has a secret."""
    import streamlit as st

    ws = workspace()
    st.title("Labelwise: editors log in")
    if _state().pop(EXPIRED, False):
        st.info("Your editor session expired; log in again.", icon=":material/schedule:")
    st.caption("Planning, saving and sharing scenarios is for the team that runs this Labelwise. If someone sent "
               "you a link to a scenario, open that link: it needs no login.")
    with st.form("login_form", border=False):
        typed = st.text_input("Workspace secret", type="password", key="lw_login_secret",
                              help="Ask whoever runs this Labelwise server.")
        go = st.form_submit_button("Log in", type="primary", icon=":material/login:")
    if go:
        outcome = try_login(ws, typed)
        if outcome.ok:
            st.rerun()
        elif outcome.wait > 0:
            st.error(f"That is not the workspace secret. Wait {outcome.wait:.0f} s before the next try.",
                     icon=":material/lock:")
        else:
            st.error("That is not the workspace secret.", icon=":material/lock:")


def refusal_page() -> None:
    """What every URL shows when the server listens on the network without a secret."""
    import streamlit as st

    global _refusal_logged
    ws = workspace()
    where = ws.address or "every network interface"
    if not _refusal_logged:  # once per process: the operator reads the log, not the page
        _refusal_logged = True
        _log.error("Labelwise serves nothing: it listens on %s without a workspace secret. Set %s, or start it with "
                   "--server.address 127.0.0.1 (make run), or set %s=1 if an open dashboard is meant.",
                   where, SECRET_ENV, ALLOW_OPEN_ENV)
    st.title("Labelwise is not open to the network without a workspace secret")
    st.error(f"This server listens on {where}, and no workspace secret is set, so anyone who can reach it could "
             "edit and delete every scenario. It serves nothing until one of these is done:\n"
             f"- set `{SECRET_ENV}` (or `{SECRET_HASH_ENV}`, see `python -m dashboard.access hash`) and restart;\n"
             "- or start it on this machine only: `make run` (`--server.address 127.0.0.1`);\n"
             f"- or, if an open dashboard on this network is really meant, set `{ALLOW_OPEN_ENV}=1`.",
             icon=":material/lock:")


def editor_notice(ws: Workspace, where: Any = None) -> None:
    """The line every editor page starts with when editing is open to whoever reaches the server."""
    import streamlit as st

    if ws.protected:
        return
    (where or st).warning(
        "No workspace secret is set: anyone who can reach this dashboard can edit, delete and export every "
        f"scenario. Fine on your own machine; on a shared server set `{SECRET_ENV}` (see docs/dashboard.md, "
        "Access).", icon=":material/lock_open:")


def sidebar(ws: Workspace) -> None:
    """Who is logged in, and the way out."""
    import streamlit as st

    sess = editor_session(ws)
    if sess is None:
        return
    left = max(0.0, sess.expires - time.time()) / 3600
    st.sidebar.caption(f":material/badge: Editor session {sess.id} · {left:.1f} h left")
    if st.sidebar.button("Log out", key="lw_logout", icon=":material/logout:"):
        log_out()
        st.rerun()


def main(argv: list[str] | None = None) -> int:
    """``python -m dashboard.access new-secret | hash``: make a secret, or the hash to set instead of it."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["new-secret"]:
        print(secrets.token_urlsafe(24))
        return 0
    if args[:1] == ["hash"]:
        import getpass

        secret = getpass.getpass("Workspace secret: ")
        if not secret.strip():
            print("An empty secret protects nothing.", file=sys.stderr)
            return 2
        print(SecretHash.of(secret).encode())
        return 0
    print("usage: python -m dashboard.access new-secret | hash", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
