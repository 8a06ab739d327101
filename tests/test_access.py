"""Roles, as a browser session meets them through app.py: a reviewer (share link only) sees one scenario and
nothing else; a visitor without the workspace secret gets the login form and nothing else; an editor with it gets
everything; without a secret the server must be local (or say it is open on purpose) and every page says so."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard import access, session, state
from dashboard.access import EDITOR, AccessConfigError, EditorSession, SecretHash
from dashboard.store import ScenarioStore
from dashboard.testing import small_run

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
SECRET = "correct horse battery staple 42"
EDITOR_PAGES = ("plan", "results", "business", "stopping", "scenarios", "sweeps", "label_next")


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELWISE_DB", str(tmp_path / "lw.db"))
    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    for k in (access.SECRET_ENV, access.SECRET_HASH_ENV, access.ALLOW_OPEN_ENV, access.SESSION_HOURS_ENV):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setattr(access, "_server_address", lambda: "127.0.0.1")  # as `make run` starts it
    monkeypatch.setattr(state, "warm_up", lambda: None)
    monkeypatch.setattr(access, "_server_fails", access.deque())  # each test starts with no wrong tries counted


@pytest.fixture
def protected(monkeypatch):
    monkeypatch.setenv(access.SECRET_ENV, SECRET)


@pytest.fixture
def shared() -> ScenarioStore:
    store = ScenarioStore()
    result, analysis, inputs = small_run()
    store.save("Other team's plan", inputs=inputs, payload=state.payload(result, analysis), dataset_name="penguins",
               dataset_fingerprint="f")
    sc = store.save("Shared plan", inputs=inputs, payload=state.payload(result, analysis), dataset_name="penguins",
                    dataset_fingerprint="f")
    store.shared = sc  # type: ignore[attr-defined]
    return store


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ask_for(at: AppTest, url_path: str) -> AppTest:
    """What a hand-made client message asking for a page by its URL does (Streamlit hashes the url_path)."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("title", "markdown", "caption", "info", "warning", "error", "success", "code")
             for e in getattr(at, kind)]
    return "\n".join(parts)


def _editing_controls(at: AppTest) -> list[str]:
    """Every control that could change something: buttons, confirmations, text and number inputs, uploaders, and any
    widget named like an edit. View controls (a log-scale toggle, a chart's picker) and downloads only read."""
    kinds = ("button", "checkbox", "text_input", "text_area", "number_input")
    found = [f"{k}:{w.label}" for k in kinds for w in getattr(at, k)]
    found += [f"uploader:{u.proto.label}" for u in at.get("file_uploader")]
    words = ("save", "delete", "rename", "import", "export all", "restore", "withdraw", "duplicate", "trash")
    for k in ("selectbox", "radio", "toggle", "multiselect"):
        found += [f"{k}:{w.label}" for w in getattr(at, k) if any(x in str(w.label).lower() for x in words)]
    return found


# ---- reviewers ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("with_secret", [False, True])
def test_a_reviewer_sees_the_one_scenario_read_only_and_nothing_else(shared, monkeypatch, with_secret):
    if with_secret:
        monkeypatch.setenv(access.SECRET_ENV, SECRET)
    sc = shared.shared
    at = _app(id=sc.share_id)
    assert not at.exception, at.exception
    assert at.title[0].value == "Shared plan"
    assert "Other team's plan" not in _texts(at)  # no list of scenarios
    assert _editing_controls(at) == []
    downloads = {b.label for b in at.get("download_button")}
    assert {"Report (HTML)", "Report (PDF)", "Scenario (JSON)"} <= downloads
    assert not any("all" in d.lower() for d in downloads)  # this scenario's downloads, never "Export all"
    assert not at.get("page_link") and not at.sidebar.children  # no way into the editors' app
    assert "Plan your own labeling budget" not in _texts(at)
    # Only the Review page is registered: the editors' pages cannot be switched to, even by a crafted request.
    for page in EDITOR_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")
        _ask_for(at, page)
        assert not at.exception, at.exception
        assert at.title[0].value == "Shared plan" and _editing_controls(at) == []
    assert len(shared.list()) == 2 and shared.audit_log()[0].action == "save"  # nothing changed
    # The same session dropping the link from its URL is an editors' visit: the login form where there is a secret.
    at.query_params.clear()
    at.run()
    if with_secret:
        assert at.title[0].value == "Labelwise: editors log in" and "Shared plan" not in _texts(at)
    else:  # no secret: the local, open planner, which says so
        assert any("No workspace secret is set" in w.value for w in at.warning)


def test_a_guessed_link_and_a_withdrawn_link(shared):
    missing = _app(id="A" * 32)
    assert missing.title[0].value == "Scenario not found" and "A" * 32 not in _texts(missing)
    assert _editing_controls(missing) == [] and not missing.get("page_link")
    old = shared.shared.share_id
    shared.revoke_link(shared.shared.id)
    gone = _app(id=old)
    assert gone.title[0].value == "This link was withdrawn" and old not in _texts(gone)
    assert _editing_controls(gone) == [] and not gone.get("download_button")


# ---- visitors without the secret, and editors with it -------------------------------------------------------------
def test_without_the_secret_only_the_login_form_is_served(protected, shared):
    at = _app()
    assert not at.exception, at.exception
    assert at.title[0].value == "Labelwise: editors log in"
    assert [w.label for w in at.text_input] == ["Workspace secret"] and at.text_input[0].proto.type == 1  # password
    assert "Shared plan" not in _texts(at) and not at.sidebar.children
    for page in (*EDITOR_PAGES, "review"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")
        _ask_for(at, page)
        assert at.title[0].value == "Labelwise: editors log in", page
        assert "Shared plan" not in _texts(at)
    assert len(shared.list()) == 2


def test_a_wrong_secret_is_refused_then_slowed_down_and_the_right_one_opens_everything(protected, shared):
    at = _app()
    for _ in range(access.FREE_TRIES):
        at.text_input(key="lw_login_secret").set_value("guess")
        at.button(key="FormSubmitter:login_form-Log in").click().run()
        assert at.title[0].value == "Labelwise: editors log in"
        assert any("not the workspace secret" in e.value for e in at.error)
    assert any("Wait" in e.value for e in at.error)  # the third wrong try starts the wait
    at.text_input(key="lw_login_secret").set_value(SECRET)
    at.button(key="FormSubmitter:login_form-Log in").click().run()
    assert at.title[0].value == "Labelwise: editors log in"  # even the right secret waits its turn
    at.session_state[access.WAIT_UNTIL] = 0.0
    at.text_input(key="lw_login_secret").set_value(SECRET)
    at.button(key="FormSubmitter:login_form-Log in").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value != "Labelwise: editors log in"
    assert not any("No workspace secret" in w.value for w in at.warning)  # protected: no open-editing banner
    at.switch_page("app_pages/scenarios.py").run()
    assert not at.exception, at.exception
    assert "Shared plan" in str(at.selectbox(key="scenario_pick").options)
    sc = shared.shared
    at.selectbox(key="scenario_pick").set_value(sc.id).run()
    at.checkbox(key=f"confirm_delete_{sc.id}").check().run()
    at.button(key=f"del_btn_{sc.id}").click().run()
    assert [t.scenario.id for t in shared.trash()] == [sc.id]
    entry = shared.audit_log()[0]
    assert entry.action == "delete" and entry.actor == at.session_state[EDITOR].actor
    # Log out: back to the form.
    at.button(key="lw_logout").click().run()
    assert at.title[0].value == "Labelwise: editors log in"


def test_an_editor_session_expires(protected):
    at = AppTest.from_file(APP, default_timeout=60)
    now = time.time()
    at.session_state[EDITOR] = EditorSession(id="abc", started=now - 10, expires=now + 3600)
    at.run()
    assert at.title[0].value != "Labelwise: editors log in"
    at.session_state[EDITOR] = EditorSession(id="abc", started=now - 9 * 3600, expires=now - 1)
    at.run()
    assert at.title[0].value == "Labelwise: editors log in"
    assert any("expired" in i.value for i in at.info)


# ---- no secret: local only, and said on every page ----------------------------------------------------------------
@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_without_a_secret_on_localhost_every_editor_page_says_editing_is_open(page):
    at = _app()
    if page != "plan":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    assert any("No workspace secret is set" in w.value and "anyone who can reach" in w.value for w in at.warning)


@pytest.mark.parametrize("address", [None, "0.0.0.0", "192.168.1.20", "::"])
def test_without_a_secret_a_server_reachable_from_the_network_serves_only_a_refusal(monkeypatch, shared, address):
    monkeypatch.setattr(access, "_server_address", lambda: address)
    at = _app()
    assert not at.exception, at.exception
    assert at.title[0].value == "Labelwise is not open to the network without a workspace secret"
    assert _editing_controls(at) == [] and "Shared plan" not in _texts(at)
    for page in EDITOR_PAGES:
        assert _ask_for(at, page).title[0].value.startswith("Labelwise is not open")
    # a share link still works: it reveals one scenario, read-only, which is what a link is for
    assert _app(id=shared.shared.share_id).title[0].value == "Shared plan"
    # Told explicitly: served, with the open-editing warning.
    monkeypatch.setenv(access.ALLOW_OPEN_ENV, "1")
    at = _app()
    assert at.title[0].value != "Labelwise is not open to the network without a workspace secret"
    assert any("No workspace secret is set" in w.value for w in at.warning)


# ---- the secret ---------------------------------------------------------------------------------------------------
def test_the_secret_is_kept_as_a_salted_hash_and_compared_in_constant_time():
    a, b = SecretHash.of(SECRET, iterations=1000), SecretHash.of(SECRET, iterations=1000)
    assert a.salt != b.salt and a.digest != b.digest  # salted
    assert a.matches(SECRET) and not a.matches(SECRET + " ") and not a.matches("")
    again = SecretHash.decode(a.encode())
    assert again == a and SECRET not in a.encode()
    with pytest.raises(AccessConfigError) as info:
        SecretHash.decode("sha1$abc")
    assert info.value.setting == access.SECRET_HASH_ENV
    ws = access.workspace(address="127.0.0.1", env={access.SECRET_ENV: SECRET})
    assert ws.protected and ws.secret.matches(SECRET) and SECRET.encode() not in ws.secret.digest


def test_a_prehashed_secret_works_and_bad_settings_are_refused():
    encoded = SecretHash.of(SECRET, iterations=1000).encode()
    ws = access.workspace(address="0.0.0.0", env={access.SECRET_HASH_ENV: encoded})
    assert ws.protected and not ws.refused and ws.secret.matches(SECRET)
    for weak in ("  ", "short"):
        with pytest.raises(AccessConfigError) as empty:
            access.workspace(address="127.0.0.1", env={access.SECRET_ENV: weak})
        assert empty.value.setting == access.SECRET_ENV
    with pytest.raises(AccessConfigError) as hours:
        access.workspace(address="127.0.0.1", env={access.SESSION_HOURS_ENV: "-1"})
    assert hours.value.setting == access.SESSION_HOURS_ENV
    assert access.workspace(address="127.0.0.1", env={access.SESSION_HOURS_ENV: "0.5"}).session_seconds == 1800
    for local in ("127.0.0.1", "localhost", "::1", "unix:///tmp/lw.sock"):
        assert not access.workspace(address=local, env={}).refused


def test_a_bad_secret_setting_stops_the_app_with_its_fix(monkeypatch):
    monkeypatch.setenv(access.SECRET_HASH_ENV, "not-a-hash")
    at = _app()
    assert at.title[0].value == "Labelwise cannot start"
    assert any(access.SECRET_HASH_ENV in e.value for e in at.error) and _editing_controls(at) == []


def test_the_store_records_the_browser_session_when_editing_is_open():
    result, analysis, inputs = small_run()
    at = _app()
    at.switch_page("app_pages/scenarios.py")
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    at.run()
    at.text_input(key="save_name").set_value("Open save")
    at.button(key="FormSubmitter:save_form-Save scenario").click().run()
    assert not at.exception, at.exception
    (entry,) = ScenarioStore().audit_log()
    assert entry.action == "save" and entry.actor == f"open:{at.session_state[access.VISITOR]}"


def test_the_report_a_reviewer_downloads_fetches_nothing_from_outside(shared):
    """A hostile scenario name must not make the report load anything when a stakeholder opens it."""
    import re

    from dashboard import report_cache

    sc = shared.get(shared.shared.id)
    sc.name = '<img src="https://evil.example/x.png"><script src="http://evil.example/a.js"></script>'
    html = report_cache.html(sc)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<img src=\"https" not in html


def test_the_secret_can_come_from_streamlit_secrets(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit import config

    encoded = SecretHash.of(SECRET, iterations=1000).encode()
    toml = tmp_path / "secrets.toml"
    toml.write_text(f'[labelwise]\neditor_secret_hash = "{encoded}"\n', encoding="utf-8")
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(toml)])
    monkeypatch.setattr(st.secrets, "_secrets", None)  # read the file again now, and again after the test
    try:
        ws = access.workspace(address="127.0.0.1")
        assert ws.protected and ws.secret.matches(SECRET) and not ws.secret.matches("nope")
        monkeypatch.setenv(access.SECRET_ENV, "from the environment")  # the environment wins
        assert access.workspace(address="127.0.0.1").secret.matches("from the environment")
    finally:
        config.set_option("secrets.files", before)


def test_the_server_takes_a_limited_number_of_wrong_secrets_a_minute_from_all_sessions(monkeypatch):
    """A script that opens a new session for every guess gets no more than SERVER_TRIES_PER_MINUTE tries a minute."""
    monkeypatch.setattr(access, "_server_fails", access.deque())
    ws = access.workspace(address="127.0.0.1", env={access.SECRET_ENV: SECRET})
    sessions: list[dict] = []
    monkeypatch.setattr(access, "_state", lambda: sessions[-1])
    t0 = 1_000_000.0
    for i in range(access.SERVER_TRIES_PER_MINUTE):
        sessions.append({})  # a fresh session per guess: no per-session wait applies
        assert access.try_login(ws, f"guess {i}", now=t0 + i) == access.LoginOutcome(ok=False, wait=0.0)
    sessions.append({})
    blocked = access.try_login(ws, SECRET, now=t0 + 31)  # even the right secret waits until the minute is over
    assert not blocked.ok and blocked.wait == pytest.approx(29.0)
    assert access.EDITOR not in sessions[-1]
    assert access.try_login(ws, SECRET, now=t0 + 61).ok  # the first guess is a minute old: a try is free again
