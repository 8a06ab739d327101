"""Scenarios: save, rename, duplicate, delete (to the trash), compare, share, withdraw a link; restore from the
trash or an earlier version; the audit of changes; export all scenarios and import them back.

An editors' page: app.py registers it only for an editor session (see dashboard/access.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, NoReturn

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, report, report_cache, scenario_io, session, state, tables, views
from dashboard.store import (
    ON_CONFLICT,
    TRASH_DAYS,
    Scenario,
    ScenarioNotFound,
    StoreError,
    file_digest,
    scenario_to_dict,
)

FLASH = "lw_scenarios_flash"
IMPORT_ROUND = "lw_import_round"  # bumped after an import, so the uploader comes back empty
GONE = "This scenario was deleted in another session; the list below shows what is saved now."

st.title("Scenarios: save, compare and share")

try:
    store = session.store()
except StoreError as exc:
    views.show_error(exc)
    st.stop()


def _select(scenario_id: str) -> None:
    """Make a scenario the selected one (also in the picker, whose widget state would otherwise win)."""
    st.session_state["lw_selected"] = scenario_id
    st.session_state["lw_pending_pick"] = scenario_id  # applied before the picker is drawn


def _flash(where: Literal["list", "import", "trash"], kind: Literal["success", "warning"], text: str) -> None:
    """Keep a message for the next run: actions rerun the page so the list is fresh, which drops what they wrote."""
    st.session_state[FLASH] = {"where": where, "kind": kind, "text": text}


def _show_flash(where: Literal["list", "import", "trash"]) -> None:
    msg = st.session_state.get(FLASH)
    if msg and msg["where"] == where:
        del st.session_state[FLASH]
        icon = ":material/check_circle:" if msg["kind"] == "success" else ":material/warning:"
        getattr(st, msg["kind"])(msg["text"], icon=icon)


def _compare(pair: list[tuple[Scenario, Any]]) -> None:
    """Two scenarios side by side: key numbers in one table, each learning curve in its column.

    The table is static (``st.table``), so long cells such as the verdict wrap instead of being cut off, and the
    charts are built narrow (wrapped titles, a two-column legend) to fit half the page.
    """
    rows: dict[str, list[str]] = {}
    for s, _ in pair:
        an = s.payload.get("analysis") or {}
        b = an.get("business") or {}
        e = an.get("economics") or {}
        vals = {
            "Data": s.dataset_name,
            "Verdict": an.get("verdict", ""),
            "Cost per label": fmt.money(e.get("cost_per_label")),
            "Production pool": fmt.count(e.get("production_pool")),
            **{title: _joined(tables.headline_text(b, k, kind)) for k, title, kind, _ in tables.HEADLINES},
        }
        for k, v in vals.items():
            rows.setdefault(k, []).append(v)
    names = [s.name for s, _ in pair]
    if names[0] == names[1]:
        names = [f"{names[0]} (left)", f"{names[1]} (right)"]
    for s, col in pair:
        an = s.payload.get("analysis") or {}
        curves = tables.curves_frame(an)
        if not curves.empty:
            with col:
                views.chart_or_note(lambda an=an, curves=curves, s=s: charts.learning_curve_chart(
                    curves, metric_label=an.get("metric_label", "accuracy"),
                    target=(an.get("target") or {}).get("value_median"), title=s.name[:80], narrow=True),
                    key=f"cmp_chart_{s.id}")
    st.table(pd.DataFrame(rows, index=names).T)


def _joined(parts: tuple[str, str]) -> str:
    head, rng = parts
    return f"{head} ({rng})" if rng else head


def _when(iso: str) -> str:
    """``2026-11-26T02:34:19+00:00`` -> ``2026-11-26 02:34`` (stored times are UTC)."""
    return iso.replace("T", " ")[:16]


def _data_note(sc: Scenario) -> None:
    """After opening an upload scenario: whether the Plan page has its file, or which file to upload again."""
    data = sc.inputs.get("data") or {}
    if data.get("source") != "upload" or not data.get("file_name"):
        return
    sha = file_digest(sc.inputs)
    try:
        kept = sha is not None and sha in store.file_hashes()
    except StoreError:  # busy or unreadable: the Plan page tries again when it is opened
        kept = False
    upload = st.session_state.get(session.UPLOAD) or {}
    if kept or session.same_file(upload.get("digest"), data.get("digest")):
        st.caption(f":material/description: The Plan page runs it on **{data['file_name']}**, as saved.")
    else:
        st.info(f"Its data, **{data['file_name']}** (fingerprint {str(data.get('digest'))[:16]}), is not kept on "
                "this server: upload it again on the Plan page to run it again. The same file gets the same label, "
                "sheet and choices back.", icon=":material/upload_file:")


def _versions(sc: Scenario) -> None:
    """The versions a rename, an update or an import 'replace' overwrote, each restorable."""
    try:
        versions = store.versions(sc.id)
    except StoreError as exc:
        views.show_error(exc)
        return
    if not versions:
        return
    with st.expander(f"Earlier versions ({len(versions)}, kept {TRASH_DAYS} days)", icon=":material/history:"):
        by_seq = {v.seq: v for v in versions}
        seq = st.selectbox("Version", list(by_seq), key=f"version_pick_{sc.id}",
                           format_func=lambda q: f"{by_seq[q].name} (before the {by_seq[q].reason}, "
                                                 f"{_when(by_seq[q].replaced_at)} UTC)")
        if st.button("Restore this version", key=f"version_btn_{sc.id}", icon=":material/restore:",
                     help="The current version is kept in turn; the share link stays the same."):
            try:
                store.restore_version(seq)
            except ScenarioNotFound:
                _gone()
            except StoreError as exc:
                views.show_error(exc)
            else:
                _flash("list", "success", f"Restored the version named **{by_seq[seq].name}**.")
                st.rerun()


def _gone(text: str = GONE) -> NoReturn:
    """The selected scenario vanished (another session deleted it): say so once and show the fresh list."""
    st.session_state.pop("lw_selected", None)
    _flash("list", "warning", text)
    st.rerun()


# ---- save the current plan -----------------------------------------------------------------------------
a = session.analysis()
st.header("Save the current plan", divider="gray")
if a is None:
    st.info("Run a simulation on the Plan page first; then save it here.", icon=":material/info:")
else:
    d = a.get("dataset") or {}
    default_name = f"{d.get('name', 'data')}: {fmt.money((a.get('economics') or {}).get('cost_per_label'))} a label"
    with st.form("save_form", border=False):
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        name = c1.text_input("Scenario name", value=default_name, max_chars=120, key="save_name",
                             help="A name your stakeholders will recognise, e.g. 'Support tickets, vendor B'.")
        save = c2.form_submit_button("Save scenario", type="primary", icon=":material/save:")
    if save:
        result = session.result()
        try:
            sc = store.save(name, inputs=session.inputs(), payload=state.payload(result, a) if result is not None
                            else {"analysis": a}, dataset_name=str(d.get("name", "")),
                            dataset_fingerprint=str(d.get("fingerprint", "")))
        except StoreError as exc:
            views.show_error(exc)
        else:
            _select(sc.id)
            st.success(f"Saved **{sc.name}**. Its share link opens a read-only view of this scenario and nothing "
                       "else; send it to whoever should see it:", icon=":material/check_circle:")
            st.code(session.share_url(sc.share_id), language=None)

# ---- the list ------------------------------------------------------------------------------------------
st.header("Saved scenarios", divider="gray")
_show_flash("list")
try:
    scenarios = store.list()
    listed = True
except StoreError as exc:  # StoreBusy included: message and hint, and the page still offers import below
    views.show_error(exc)
    scenarios, listed = [], False
if not scenarios:
    if listed and st.session_state.pop("lw_selected", None) is not None:  # the last one, deleted elsewhere
        st.warning(GONE, icon=":material/warning:")
    if listed:
        st.info("No saved scenarios yet.", icon=":material/bookmarks:")
else:
    # minutes are enough (the seconds and "+00:00" pushed the last column out of a 1280 px page)
    st.dataframe(pd.DataFrame([{"Name": s.name, "Data": s.dataset_name, "Saved (UTC)": _when(s.created_at),
                                "Changed (UTC)": _when(s.updated_at)} for s in scenarios]),
                 hide_index=True, width="stretch")
    ids = [s.id for s in scenarios]
    by_id = {s.id: s for s in scenarios}
    pending = st.session_state.pop("lw_pending_pick", None)
    if pending in ids:
        st.session_state["scenario_pick"] = pending
    if st.session_state.get("scenario_pick") not in ids:
        sel = st.session_state.get("lw_selected")
        if sel is not None and sel not in ids:  # selected here, deleted elsewhere since the last run
            st.warning(GONE, icon=":material/warning:")
        st.session_state["scenario_pick"] = sel if sel in ids else ids[0]
    chosen = st.selectbox("Scenario", ids, key="scenario_pick",
                          format_func=lambda i: f"{by_id[i].name} ({by_id[i].dataset_name})",
                          help="Pick a scenario to open, rename, copy, delete, share or export.")
    st.session_state["lw_selected"] = chosen
    try:
        sc = store.get(chosen)
    except ScenarioNotFound:
        _gone()
    except StoreError as exc:
        views.show_error(exc)
        st.stop()
    sa: dict[str, Any] = sc.payload.get("analysis") or {}

    st.markdown("**Share link** (opens a read-only review of this scenario, nothing else):")
    st.code(session.share_url(sc.share_id), language=None)
    w1, w2 = st.columns([1, 3], vertical_alignment="center")
    sure = w2.checkbox("Yes, withdraw the current link", key=f"confirm_revoke_{sc.id}")
    if w1.button("Withdraw link, make a new one", icon=":material/link_off:", key=f"revoke_btn_{sc.id}",
                 disabled=not sure, help="Whoever opens the current link is told it was withdrawn; the scenario "
                                         "gets a new link to send to whoever should still see it.") and sure:
        try:
            store.revoke_link(sc.id)
        except ScenarioNotFound:
            _gone()
        except StoreError as exc:
            views.show_error(exc)
        else:
            _flash("list", "success", f"Withdrew the link of **{sc.name}**; its new link is below.")
            st.rerun()
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Open in the planner", icon=":material/open_in_new:", key="open_btn",
                 help="Load its inputs and results into this session's pages."):
        session.open_scenario(sc.id, sc.inputs, state.result_from_payload(sc.payload), sa)
        st.success(f"Opened **{sc.name}**: the Results, Business case and Stopping pages now show it.")
        _data_note(sc)
    # Keys carry the id: a click meant for a scenario that has since vanished from the list is dropped with
    # its button instead of acting on whichever scenario the picker falls back to.
    if c2.button("Duplicate", icon=":material/content_copy:", key=f"dup_btn_{sc.id}"):
        try:
            copy = store.duplicate(sc.id)
        except ScenarioNotFound:
            _gone("This scenario was deleted in another session, so there is nothing to copy; the list below "
                  "shows what is saved now.")
        except StoreError as exc:
            views.show_error(exc)
        else:
            _select(copy.id)
            st.rerun()
    confirm = c4.checkbox("Yes, delete it", key=f"confirm_delete_{sc.id}")
    if c3.button("Delete", icon=":material/delete:", key=f"del_btn_{sc.id}", disabled=not confirm,
                 help=f"Tick 'Yes, delete it' first. It moves to the trash (restorable for {TRASH_DAYS} days); its "
                      "share link stops working until then.") and confirm:
        try:
            store.delete(sc.id)
        except ScenarioNotFound:
            _gone("This scenario had already been deleted in another session; the list below shows what is "
                  "saved now.")
        except StoreError as exc:
            views.show_error(exc)
        else:
            st.session_state.pop("lw_selected", None)
            _flash("list", "success", f"Moved **{sc.name}** to the trash; its share link no longer works. Restore "
                                      f"it from the trash below within {TRASH_DAYS} days.")
            st.rerun()
    with st.form("rename_form", border=False):
        r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
        new_name = r1.text_input("New name", value=sc.name, max_chars=120, key=f"rename_text_{sc.id}")
        if r2.form_submit_button("Rename", icon=":material/edit:"):
            try:
                store.rename(sc.id, new_name)
            except ScenarioNotFound:
                _gone("This scenario was deleted in another session, so it cannot be renamed; the list below "
                      "shows what is saved now.")
            except StoreError as exc:
                views.show_error(exc)
            else:
                st.rerun()
    _versions(sc)
    e1, e2, e3 = st.columns(3)
    e1.download_button("Scenario (JSON, re-importable)", lambda: views.json_bytes(scenario_to_dict(sc)),
                       f"labelwise-scenario-{sc.id[:8]}.json", "application/json", key="dl_json")
    if sa:
        e2.download_button("Report (HTML)", lambda: report_cache.html(sc),
                           f"labelwise-report-{sc.id[:8]}.html", "text/html", key="dl_html",
                           help="One self-contained file; opens offline.")
        e3.download_button("Report (PDF)", lambda: report_cache.pdf(sc),
                           f"labelwise-report-{sc.id[:8]}.pdf", "application/pdf", key="dl_pdf",
                           disabled=not report.pdf_available(),
                           help=None if report.pdf_available() else "PDF export needs the fpdf2 package.")

    # ---- compare -------------------------------------------------------------------------------------------
    if len(scenarios) >= 2:
        st.header("Compare two scenarios", divider="gray")
        k1, k2 = st.columns(2)
        left_id = k1.selectbox("Left", ids, index=0, key="cmp_left", format_func=lambda i: by_id[i].name)
        right_id = k2.selectbox("Right", ids, index=1, key="cmp_right", format_func=lambda i: by_id[i].name)
        # The picked scenario is already read: do not fetch and decode its payload again on every rerun.
        def _get(i: str) -> Scenario:
            return sc if i == sc.id else store.get(i)

        try:
            _compare([(_get(left_id), k1), (_get(right_id), k2)])
        except ScenarioNotFound:
            st.info("One of these two was just deleted in another session; pick another.", icon=":material/info:")
        except StoreError as exc:
            views.show_error(exc)

# ---- the trash and the record of changes ------------------------------------------------------------------
st.header("Trash", divider="gray")
_show_flash("trash")
try:
    trashed = store.trash()
except StoreError as exc:
    views.show_error(exc)
    trashed = []
if not trashed:
    st.caption(f"Nothing in the trash. A deleted scenario stays here for {TRASH_DAYS} days.")
else:
    by_trash = {t.scenario.id: t for t in trashed}
    gone_id = st.selectbox("Deleted scenario", list(by_trash), key="trash_pick",
                           format_func=lambda i: f"{by_trash[i].scenario.name} (deleted {_when(by_trash[i].deleted_at)}"
                                                 f" UTC, purged after {_when(by_trash[i].purge_at)})")
    if st.button("Restore", key=f"restore_btn_{gone_id}", icon=":material/restore_from_trash:",
                 help="Back in the list with its share link (unless that link was withdrawn)."):
        try:
            back = store.restore(gone_id)
        except ScenarioNotFound:
            _flash("trash", "warning", "That scenario is not in the trash any more (restored or purged elsewhere).")
        except StoreError as exc:
            views.show_error(exc)
        else:
            _select(back.id)
            _flash("list", "success", f"Restored **{back.name}**; its share link works again.")
        st.rerun()
with st.expander("Recent changes (who, what, when)", icon=":material/manage_history:"):
    try:
        log = store.audit_log(limit=50)
    except StoreError as exc:
        views.show_error(exc)
        log = []
    if log:
        st.dataframe(pd.DataFrame([{"When (UTC)": _when(e.at), "Who": e.actor, "What": e.action,
                                    "Scenario": e.scenario_id or "", "Detail": e.detail} for e in log]),
                     hide_index=True, width="stretch")
        st.caption("Who: the editor session (or, where no workspace secret is set, the browser session). "
                   "'Export all scenarios' includes every change.")
    else:
        st.caption("No changes recorded yet.")

# ---- export all / import -------------------------------------------------------------------------------
st.header("Back up, move or import scenarios", divider="gray")
_show_flash("import")
st.download_button(
    "Export all scenarios (JSON)", lambda: scenario_io.export_bytes(store),  # built on click, not on every run
    f"labelwise-scenarios-{datetime.now(UTC):%Y%m%d}.json", "application/json", key="dl_all",
    icon=":material/download:", disabled=not scenarios,
    help="One file with every saved scenario, share links and the record of changes included: a backup, or a way "
         "to move them to another Labelwise. Import it below; restored links work again (withdrawn ones do not).")
import_round = int(st.session_state.get(IMPORT_ROUND, 0))
up = st.file_uploader("Import scenarios: a file from 'Export all scenarios' or one 'Scenario (JSON)'", type=["json"],
                      key=f"import_file_{import_round}",
                      help="A single scenario always comes in as a new scenario with a new share link.")
rule = st.radio("Scenarios that are already here", ON_CONFLICT, key="import_conflict", horizontal=True,
                format_func=lambda r: scenario_io.CONFLICT_LABELS[r])
st.caption(scenario_io.CONFLICT_HELP + " Identical copies are left as they are.")
if up is not None and st.button("Import", key="import_btn", icon=":material/upload:"):
    try:
        outcome = scenario_io.import_bytes(store, up.getvalue(), on_conflict=rule)
    except StoreError as exc:  # bad file (nothing imported), newer Labelwise, busy or unusable database
        views.show_error(exc)
    else:
        if outcome.scenario is not None:
            _select(outcome.scenario.id)
            done = f"Imported **{outcome.scenario.name}** as a new scenario with its own share link."
        else:
            done = scenario_io.report_text(outcome.report)
        st.session_state[IMPORT_ROUND] = import_round + 1  # a fresh, empty uploader: no accidental second import
        _flash("import", "success", done)
        st.rerun()
