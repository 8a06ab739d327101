"""One end-to-end run in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

Log in with the workspace secret -> plan -> run the default scenario -> metrics and a chart visible -> save the
scenario -> open its share link in a fresh browser context (another session, a reviewer): no editing control, no
navigation, and the editors' pages ask for the secret -> download the report -> load a tiny sweep on the Sweeps page
-> full-page screenshots in test-output/browser/.
Set LABELWISE_DOCS_SCREENSHOTS=1 to also refresh docs/results.png and docs/business-case.png.
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = ROOT / "test-output" / "browser"

SECRET = "browser-test-workspace-secret"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is missing: `make browser` installs it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "LABELWISE_DB": str(tmp_path / "browser.db"), "PYTHONPATH": str(ROOT),
           "LABELWISE_EDITOR_SECRET": SECRET, "LABELWISE_SWEEPS_ROOT": str(tmp_path),
           "LABELWISE_PROJECTS": str(tmp_path / "projects")}
    log = open(tmp_path / "streamlit.log", "w")  # closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start: " + (tmp_path / "streamlit.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _full_page(page, path: Path) -> None:
    """Streamlit scrolls inside its main container: grow the viewport to the content, then shoot."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 9000)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


#: The plan's tiles every page shows alike (dashboard.tables.PLAN_TILES): one answer for one scenario.
SAME_EVERYWHERE = ("Labels saved", "ROI vs random", "Stop at")


def _tiles(page, labels=SAME_EVERYWHERE) -> dict[str, str]:
    """The value of each named metric tile on the page (the first tile with that label)."""
    out = {}
    for label in labels:
        tile = page.get_by_test_id("stMetric").filter(
            has=page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(f"^{re.escape(label)}$"))).first
        tile.wait_for(timeout=30_000)
        out[label] = tile.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def _no_horizontal_overflow(page) -> None:
    overflow = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollWidth - m.clientWidth : 0; }")
    assert overflow <= 1, f"page content overflows a 1280 px window by {overflow} px"


@pytest.fixture
def sweep_dir(tmp_path) -> Path:
    """A finished two-dataset sweep (about a second) for the Sweeps step."""
    from simulations.sweep import run_sweep, sweep_config_from_dict

    out = tmp_path / "sweep"
    run_sweep(sweep_config_from_dict({
        "datasets": ["penguins", "breast_cancer"], "models": ["logreg"], "strategies": ["margin"],
        "schedules": [{"name": "b10", "batch_size": 10, "budget": 50}], "seeds": 2, "initial_labels": 10,
        "max_test_rows": 150, "stop_set_rows": 100}), out)
    return out


@pytest.mark.timeout(280)
def test_plan_run_save_share_review_download(server, tmp_path, sweep_dir):
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    docs = os.environ.get("LABELWISE_DOCS_SCREENSHOTS") == "1"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server)
            # the workspace has a secret: the login form, and nothing else, until it is typed
            secret = page.get_by_label("Workspace secret", exact=True).and_(page.get_by_test_id("stTextInputField"))
            secret.wait_for(timeout=60_000)
            expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
            secret.fill("not the secret")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_text("That is not the workspace secret")).to_be_visible(timeout=30_000)
            secret.fill(SECRET)
            page.get_by_role("button", name="Log in").click()
            run = page.get_by_role("button", name="Run simulation")
            run.wait_for(timeout=60_000)
            expect(page.get_by_test_id("stMetricValue").filter(has_text="5,574").first).to_be_visible()
            t0 = time.perf_counter()
            run.click()
            expect(page.get_by_text("Latest result")).to_be_visible(timeout=150_000)
            elapsed = time.perf_counter() - t0
            # the headline numbers are there
            for label in ("ROI vs random", "Net savings", "Labels saved", "Stop at"):
                expect(page.get_by_test_id("stMetricLabel").filter(has_text=label).first).to_be_visible()
            expect(page.get_by_text("fewer labels than random").first).to_be_visible()
            on_plan = _tiles(page)
            assert all(v and v != "n/a" for v in on_plan.values()), on_plan

            page.get_by_role("link", name="Results").first.click()
            chart = page.get_by_test_id("stVegaLiteChart").first
            expect(chart).to_be_visible(timeout=30_000)
            expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Strategy leaderboard")).to_be_visible()
            _no_horizontal_overflow(page)
            _full_page(page, OUT / "results.png")
            if docs:
                _full_page(page, ROOT / "docs" / "results.png")

            page.get_by_role("link", name="Business case").first.click()
            expect(page.get_by_text("What moves the result most").first).to_be_visible(timeout=30_000)
            assert _tiles(page) == on_plan  # the Business headline is the Plan page's answer
            page.wait_for_timeout(1500)
            _no_horizontal_overflow(page)
            _full_page(page, OUT / "business-case.png")
            if docs:
                _full_page(page, ROOT / "docs" / "business-case.png")

            page.get_by_role("link", name="Stopping").first.click()
            expect(page.get_by_text("Plan for about").first).to_be_visible(timeout=30_000)
            on_stop = _tiles(page, ("Labels saved", "Stop at"))
            assert on_stop == {k: on_plan[k] for k in on_stop}  # the Stopping plan's stop is the plan's

            # save the scenario and read its share link
            page.get_by_role("link", name="Scenarios").first.click()
            name = page.get_by_role("textbox", name="Scenario name")
            name.wait_for(timeout=30_000)
            name.fill("Browser test scenario")
            page.get_by_role("button", name="Save scenario").click()
            expect(page.get_by_text("Saved Browser test scenario")).to_be_visible(timeout=30_000)
            link = page.get_by_test_id("stCode").filter(has_text="/review?id=").first.inner_text().strip()
            assert re.search(r"/review\?id=[A-Za-z0-9_-]{32}$", link), link

            # a fresh context is another browser session: nothing shared but the link
            other = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            review = other.new_page()
            review.goto(link)
            expect(review.get_by_role("heading", name="Browser test scenario", exact=True)).to_be_visible(
                timeout=60_000)
            expect(review.get_by_test_id("stMetricLabel").filter(has_text="ROI vs random").first).to_be_visible()
            expect(review.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30_000)
            _no_horizontal_overflow(review)
            with review.expect_download(timeout=120_000) as dl:
                review.get_by_role("button", name="Report (HTML)").click()
            path = tmp_path / "report.html"
            dl.value.save_as(path)
            html = path.read_text()
            assert "Browser test scenario" in html and "<script" not in html.lower()
            for label, value in on_plan.items():  # the report's key numbers are the pages' tiles, word for word
                assert re.search(f"<td>{re.escape(label)}</td><td>{re.escape(value)}</td>", html), (label, value)
            if importlib.util.find_spec("vl_convert") is not None:
                assert "<svg" in html  # charts embedded as inline SVG
            assert not re.search(r"""(?:src|href)\s*=\s*["']https?:""", html)
            _full_page(review, OUT / "review.png")
            # a reviewer gets no editing control, no navigation and no way into the editors' app
            names = [b.inner_text().strip() for b in review.get_by_role("button").all()]
            assert not [n for n in names if re.search(r"save|delete|rename|import|restore|withdraw|duplicate|log ?in",
                                                      n, re.I)], names
            expect(review.get_by_role("textbox")).to_have_count(0)
            expect(review.get_by_role("checkbox")).to_have_count(0)
            expect(review.get_by_test_id("stSidebarNav")).to_have_count(0)
            expect(review.get_by_test_id("stFileUploader")).to_have_count(0)
            expect(review.get_by_text("Plan your own labeling budget")).to_have_count(0)
            # asking for an editors' page with the link still gives the review; without it, the login form
            review.goto(link.replace("/review?", "/scenarios?"))
            expect(review.get_by_role("heading", name="Browser test scenario", exact=True)).to_be_visible(
                timeout=60_000)
            expect(review.get_by_role("button", name="Delete")).to_have_count(0)
            review.goto(link[: link.index("/review")] + "/scenarios")
            expect(review.get_by_test_id("stTextInputField")).to_be_visible(timeout=60_000)
            expect(review.get_by_text("Browser test scenario")).to_have_count(0)

            missing = other.new_page()
            missing.goto(link[: link.index("=") + 1] + "nope")
            expect(missing.get_by_text("Scenario not found")).to_be_visible(timeout=60_000)
            other.close()

            # the Sweeps page: load a finished sweep from the server's disk, see the winners and the heat map
            page.get_by_role("link", name="Sweeps").first.click()
            page.get_by_text("A folder on this server").click()
            page.get_by_role("textbox", name="Sweep output folder").fill(str(sweep_dir))
            page.get_by_role("button", name="Load sweep").click()
            # exact: the page title "Sweeps: which strategy wins where" contains the section heading's words, and
            # a substring match passed on the title alone before the sweep had loaded
            expect(page.get_by_role("heading", name="Which strategy wins where", exact=True)).to_be_visible(
                timeout=30_000)
            expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
            expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first).to_be_visible(
                timeout=30_000)
            _no_horizontal_overflow(page)
            _full_page(page, OUT / "sweeps.png")
        finally:
            browser.close()
    assert (OUT / "results.png").stat().st_size > 10_000
    print(f"default scenario ran in {elapsed:.1f} s")


@pytest.mark.timeout(240)
def test_label_next_two_rounds(server, tmp_path):
    """The Label next page: make a batch, download it, label it (the hidden labels), upload it; twice."""
    import pandas as pd
    from playwright.sync_api import expect, sync_playwright

    from simulations.project import Project
    from simulations.project.demo import demo_files, play_labelers

    files = demo_files("breast_cancer", tmp_path / "files", n_initial=20, max_rows=200, seed=4)
    Project.create(tmp_path / "projects" / "cancer", files.data, files.label, cost_per_label=2.0,
                   value_per_point=300.0)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.goto(server)
            secret = page.get_by_label("Workspace secret", exact=True).and_(page.get_by_test_id("stTextInputField"))
            secret.wait_for(timeout=60_000)
            secret.fill(SECRET)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("link", name="Label next").click()
            expect(page.get_by_role("heading", name="Label next")).to_be_visible(timeout=60_000)
            for r in (1, 2):
                page.get_by_role("button", name="Make the batch").click()
                download = page.get_by_role("button", name="Download the batch (CSV)")
                expect(download).to_be_visible(timeout=60_000)
                with page.expect_download(timeout=60_000) as dl:
                    download.click()
                got = tmp_path / f"batch{r}.csv"
                dl.value.save_as(got)
                batch = pd.read_csv(got)
                assert len(batch) == 50 and (batch["why"] == "control").sum() == 5
                labeled = tmp_path / f"labeled{r}.csv"
                play_labelers(batch, files.truth, files.label).to_csv(labeled, index=False)
                # the batch's own uploader (the new-project form on the same page has uploaders too); while the page
                # reruns, the previous round's uploader can linger beside the new one: wait until one is left
                upload = page.get_by_test_id("stFileUploader").filter(has_text="The batch with its").get_by_test_id(
                    "stFileUploaderDropzoneInput")
                expect(upload).to_have_count(1, timeout=30_000)
                upload.set_input_files(str(labeled))
                add = page.get_by_role("button", name="Add the labels")
                expect(add).to_be_enabled(timeout=30_000)
                add.click()
                expect(page.get_by_text(f"Round {r} added.")).to_be_visible(timeout=60_000)
            # the status below the message is recomputed (ledger bootstrap) after it shows: slow on a loaded machine
            expect(page.get_by_text("120 of 200")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Savings ledger").first).to_be_visible()
            _full_page(page, OUT / "label-next.png")
            state = Project.open(tmp_path / "projects" / "cancer").state
            assert [r["round"] for r in state.rounds] == [0, 1, 2] and state.pending is None
        finally:
            browser.close()
