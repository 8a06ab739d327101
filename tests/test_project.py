"""The labeling project: init -> next -> add -> status, the ledger, and bad input that changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulations.cli import main
from simulations.project import Project, add_labels, next_batch, project_status
from simulations.project.batch import control_count
from simulations.project.demo import demo_files, play_labelers
from simulations.project.ledger import RandomPrior, estimate_ledger, labels_random_needs, random_prior
from simulations.project.scoring import ArmPredictions
from simulations.project.status import plan_position
from simulations.project.store import LOCK_FILE

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cancer(tmp_path_factory):
    """breast_cancer, 200 rows, 20 labeled: the project file and the hidden labels."""
    return demo_files("breast_cancer", tmp_path_factory.mktemp("cancer"), n_initial=20, max_rows=200, seed=1)


@pytest.fixture(scope="module")
def spam(tmp_path_factory):
    """sms_spam, 300 rows (text), 30 labeled."""
    return demo_files("sms_spam", tmp_path_factory.mktemp("spam"), n_initial=30, max_rows=300, seed=2)


def _digest(d: Path) -> dict[str, str]:
    # every file but the lock file (who holds the lock, rewritten by every command that takes it: not project state)
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file() and p.name != LOCK_FILE}


def _init(files, d: Path, *extra: str) -> Path:
    assert main(["project", "init", "--data", str(files.data), "--label", files.label, "--dir", str(d),
                 "--cost-per-label", "2", "--value-per-point", "500", *extra]) == 0
    return d


def _next(d: Path, out: Path, batch: int = 20, share: float = 0.2) -> pd.DataFrame:
    assert main(["project", "next", "--dir", str(d), "--batch", str(batch), "--control-share", str(share),
                 "--out", str(out)]) == 0
    return pd.read_csv(out)


def _round(files, d: Path, tmp: Path, r: int, batch: int = 20, share: float = 0.2) -> Path:
    b = _next(d, tmp / f"b{r}.csv", batch, share)
    labeled = tmp / f"l{r}.csv"
    play_labelers(b, files.truth, files.label).to_csv(labeled, index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(labeled)]) == 0
    return labeled


def test_cli_loop_and_status_json(cancer, tmp_path, capsys):
    d = _init(cancer, tmp_path / "p")
    assert {p.name for p in d.iterdir()} >= {"project.json", "state.json", "data"}
    b = _next(d, tmp_path / "b.csv")
    assert list(b.columns[:4]) == ["row_id", "why", "score", cancer.label]
    assert (b["why"] == "control").sum() == control_count(20, 0.2) == 4
    assert b.loc[b["why"] == "margin", "score"].notna().all() and b.loc[b["why"] == "control", "score"].isna().all()
    assert b[cancer.label].isna().all() and "mean radius" in b.columns
    labeled = tmp_path / "l.csv"
    play_labelers(b, cancer.truth, cancer.label).to_csv(labeled, index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(labeled)]) == 0
    for r in (2, 3):
        _round(cancer, d, tmp_path, r)
    assert sorted(p.name for p in (d / "rounds").iterdir()) == ["round-001.json", "round-002.json", "round-003.json"]
    capsys.readouterr()
    assert main(["project", "status", "--dir", str(d), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["labeled"] == {"total": 80, "initial": 20, "al": 48, "control": 12, "rows": 200}
    assert [r["labels"] for r in s["rounds"]] == [20, 40, 60, 80]
    assert all(r["score_basis"] == "control_cv" for r in s["rounds"][1:])
    led = s["ledger"]
    assert set(led["labels_saved"]) == set(led["money_saved"]) == {"median", "low", "high"}
    assert "control arm" in led["method"]
    if led["available"]:
        assert led["labels_saved"]["low"] <= led["labels_saved"]["median"] <= led["labels_saved"]["high"]
        assert led["money_saved"]["median"] == pytest.approx(2 * led["labels_saved"]["median"])
    assert s["stop"]["verdict"] in {"too_early", "continue", "stop_now", "falling"}
    assert main(["project", "status", "--dir", str(d)]) == 0
    text = capsys.readouterr().out
    assert "Savings ledger" in text and "Stop advice" in text and "Labeled: 80 of 200" in text


def test_next_is_deterministic_and_pending_batch_is_resent(cancer, tmp_path):
    a, b = Project.create(tmp_path / "a", cancer.data, cancer.label), Project.create(tmp_path / "b", cancer.data,
                                                                                     cancer.label)
    fa, fb = next_batch(a, 15, 0.2), next_batch(b, 15, 0.2)
    pd.testing.assert_frame_equal(fa, fb)
    again = next_batch(Project.open(tmp_path / "a"), 40, 0.5)  # pending: the same batch, new sizes ignored
    pd.testing.assert_frame_equal(fa, again)
    other = Project.create(tmp_path / "c", cancer.data, cancer.label, seed=5)
    assert set(next_batch(other, 15, 0.2)["row_id"]) != set(fa["row_id"])


def test_validation_file_scores_every_round(cancer, tmp_path):
    val = tmp_path / "val.csv"
    cancer.test if len(cancer.test) else None
    # the validation rows: labeled rows that never enter the project file (here: a fresh sample's held-out part)
    v = demo_files("breast_cancer", tmp_path / "v", n_initial=20, test_rows=100, max_rows=400, seed=9).test
    v.to_csv(val, index=False)
    d = _init(cancer, tmp_path / "p", "--validation", str(val))
    p = Project.open(d)
    assert p.state.rounds[0]["score_basis"] == "validation" and p.state.rounds[0]["score"] > 0.5
    _round(cancer, d, tmp_path, 1)
    st = project_status(Project.open(d), n_boot=50)
    assert st.rounds[-1]["score_basis"] == "validation" and st.rounds[-1]["n_eval"] == 100
    assert st.ledger.available and st.ledger.basis == "validation"


def _error(capsys) -> str:
    return capsys.readouterr().err


@pytest.fixture
def sent(spam, tmp_path):
    """A text project with one round added and a second batch sent: (dir, batch frame, labeled round-1 file)."""
    d = _init(spam, tmp_path / "p")
    first = _round(spam, d, tmp_path, 1, batch=20, share=0.25)
    batch = _next(d, tmp_path / "b2.csv", 20, 0.25)
    return d, play_labelers(batch, spam.truth, spam.label), first


def _add_bad(d: Path, frame: pd.DataFrame | None, tmp_path: Path, capsys, *, path: Path | None = None) -> str:
    before = _digest(d)
    if path is None:
        path = tmp_path / "bad.csv"
        frame.to_csv(path, index=False)
    capsys.readouterr()
    assert main(["project", "add", "--dir", str(d), "--labels", str(path)]) == 2
    assert _digest(d) == before, "a refused add changed the project"
    return _error(capsys)


def test_bad_labels_not_sent(sent, tmp_path, capsys, spam):
    d, lab, _ = sent
    other = Project.open(d)
    unlabeled = [i for i in other.ids if i not in other.state.labels and i not in set(lab["row_id"].astype(str))]
    extra = lab.iloc[:1].copy()
    extra["row_id"] = unlabeled[0]
    err = _add_bad(d, pd.concat([lab, extra]), tmp_path, capsys)
    assert "were not in the batch sent" in err and "hint: Add only the rows of the latest batch" in err


def test_bad_batch_added_twice(sent, tmp_path, capsys):
    d, _, first = sent
    err = _add_bad(d, None, tmp_path, capsys, path=first)
    assert "already added (round 1)" in err and "project next" in err


def test_bad_duplicate_ids(sent, tmp_path, capsys):
    d, lab, _ = sent
    err = _add_bad(d, pd.concat([lab, lab.iloc[:2]]), tmp_path, capsys)
    assert "more than once" in err and "hint: Keep one row per id" in err


def test_bad_new_class_then_allowed(sent, tmp_path, capsys):
    d, lab, _ = sent
    bad = lab.copy()
    bad.loc[bad.index[0], "label"] = "spamm"
    err = _add_bad(d, bad, tmp_path, capsys)
    assert "'spamm' are not among the project's classes" in err and "--allow-new-class" in err
    path = tmp_path / "new.csv"
    bad.to_csv(path, index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(path), "--allow-new-class"]) == 0
    assert "spamm" in Project.open(d).classes


def test_bad_empty_labels(sent, tmp_path, capsys):
    d, lab, _ = sent
    bad = lab.copy()
    bad.loc[bad.index[:3], "label"] = None
    err = _add_bad(d, bad, tmp_path, capsys)
    assert "3 row(s) have no label" in err and "Fill in the 'label' column" in err


def test_bad_changed_text(sent, tmp_path, capsys):
    d, lab, _ = sent
    bad = lab.copy()
    bad.loc[bad.index[1], "text"] = "something else entirely"
    err = _add_bad(d, bad, tmp_path, capsys)
    assert "Column 'text' of row id(s)" in err and "differs from the project's data" in err
    # dropping the data columns is fine: only row_id and the label are needed
    ok = tmp_path / "ok.csv"
    lab[["row_id", "label"]].to_csv(ok, index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(ok)]) == 0


def test_bad_wrong_columns_and_missing_rows(sent, tmp_path, capsys):
    d, lab, _ = sent
    err = _add_bad(d, lab.rename(columns={"row_id": "id"}), tmp_path, capsys)
    assert "lacks the column(s) 'row_id'" in err and "hint: Return the batch file" in err
    err = _add_bad(d, lab.drop(columns=["label"]).rename(columns={"why": "label_"}), tmp_path, capsys)
    assert "lacks the column(s) 'label'" in err
    err = _add_bad(d, lab.iloc[2:], tmp_path, capsys)
    assert "2 row(s) of the batch sent are not in the labeled file" in err and "Return the whole batch" in err


def test_bad_no_pending_batch_and_no_project(cancer, tmp_path, capsys):
    d = _init(cancer, tmp_path / "p")
    f = tmp_path / "x.csv"
    pd.DataFrame({"row_id": ["0"], cancer.label: ["benign"]}).to_csv(f, index=False)
    err = _add_bad(d, None, tmp_path, capsys, path=f)
    assert "No batch is waiting" in err or "already added" in err
    assert main(["project", "status", "--dir", str(tmp_path / "nothing")]) == 2
    assert "No labeling project in" in _error(capsys)
    assert main(["project", "init", "--data", str(cancer.data), "--label", cancer.label, "--dir", str(d)]) == 2
    assert "already holds a labeling project" in _error(capsys)


def test_init_refuses_one_class_and_unknown_strategy(tmp_path, capsys):
    f = tmp_path / "one.csv"
    pd.DataFrame({"x": np.arange(30.0), "y": ["a"] * 5 + [None] * 25}).to_csv(f, index=False)
    assert main(["project", "init", "--data", str(f), "--label", "y", "--dir", str(tmp_path / "p")]) == 2
    assert "at least two classes" in _error(capsys)
    assert not (tmp_path / "p" / "project.json").exists()
    assert main(["project", "init", "--data", str(f), "--label", "y", "--dir", str(tmp_path / "q"),
                 "--strategy", "nope"]) == 2


def test_failure_between_writes_leaves_state(sent, tmp_path, monkeypatch):
    """The round log is written, then writing the state fails: the project is as it was, and add works after."""
    import simulations.project.store as store

    d, lab, _ = sent
    before = (d / "state.json").read_bytes()
    path = tmp_path / "ok.csv"
    lab.to_csv(path, index=False)
    real = store._replace

    def fail_on_state(src, dst):
        if Path(dst).name == "state.json":
            raise OSError("disk full (injected)")
        return real(src, dst)

    monkeypatch.setattr(store, "_replace", fail_on_state)
    with pytest.raises(OSError):
        add_labels(Project.open(d), path)
    assert (d / "state.json").read_bytes() == before
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(store, "_replace", real)
    rec = add_labels(Project.open(d), path)
    assert rec["round"] == 2 and Project.open(d).state.pending is None


def test_kill_during_add_leaves_project(sent, tmp_path):
    """A process killed mid-add (after the round log, before the state) leaves the previous state."""
    from simulations.project.cli import CRASH_ENV

    d, lab, _ = sent
    before = (d / "state.json").read_bytes()
    path = tmp_path / "ok.csv"
    lab.to_csv(path, index=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", **{CRASH_ENV: "1"})
    proc = subprocess.run([sys.executable, "-m", "simulations.cli", "project", "add", "--dir", str(d), "--labels",
                           str(path)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 137, proc.stderr
    assert (d / "rounds" / "round-002.json").exists()  # the log was written ...
    assert (d / "state.json").read_bytes() == before  # ... the state was not
    assert Project.open(d).state.pending is not None
    assert main(["project", "add", "--dir", str(d), "--labels", str(path)]) == 0
    assert [r["round"] for r in Project.open(d).state.rounds] == [0, 1, 2]


def test_sigkill_during_add(sent, tmp_path):
    """SIGKILL at a random moment of add: the state is the old one or the new one, never a broken file."""
    d, lab, _ = sent
    before = json.loads((d / "state.json").read_text())
    path = tmp_path / "ok.csv"
    lab.to_csv(path, index=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "project", "add", "--dir", str(d), "--labels",
                             str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=1.5)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    after = json.loads((d / "state.json").read_text())
    assert after == before or (after["pending"] is None and len(after["rounds"]) == len(before["rounds"]) + 1)


def test_add_while_another_command_holds_the_project_exits_2_and_changes_nothing(sent, tmp_path, capsys):
    d, lab, _ = sent
    path = tmp_path / "ok.csv"
    lab.to_csv(path, index=False)
    code = ("import sys, time\nfrom simulations.project.store import project_lock\n"
            "with project_lock(sys.argv[1], 'add'):\n    print('held', flush=True)\n    time.sleep(120)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    holder = subprocess.Popen([sys.executable, "-c", code, str(d)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        msg = _add_bad(d, None, tmp_path, capsys, path=path)
        assert f"being changed right now by 'labelwise project add' (process {holder.pid}" in msg
        assert "Wait for that command to finish" in msg and "did nothing" in msg
        before = _digest(d)
        assert main(["project", "next", "--dir", str(d), "--batch", "5", "--out", str(tmp_path / "n.csv")]) == 2
        assert "being changed right now" in _error(capsys) and _digest(d) == before
    finally:
        holder.kill()
        holder.wait()
    # the OS released the killed holder's lock: the lock file left behind does not block
    assert (d / LOCK_FILE).exists()
    assert main(["project", "add", "--dir", str(d), "--labels", str(path)]) == 0
    assert [r["round"] for r in Project.open(d).state.rounds] == [0, 1, 2]


def test_two_concurrent_adds_record_the_round_once(sent, tmp_path):
    """Two 'project add' of the same batch at once: one adds it, the other exits 2 (busy, or already added)."""
    d, lab, _ = sent
    path = tmp_path / "ok.csv"
    lab.to_csv(path, index=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "simulations.cli", "project", "add", "--dir", str(d), "--labels", str(path)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], outs
    err = next(e for (_, e), p in zip(outs, procs, strict=True) if p.returncode == 2)
    assert "being changed right now" in err or "already" in err.lower() or "no batch" in err.lower(), err
    state = Project.open(d).state
    assert [r["round"] for r in state.rounds] == [0, 1, 2] and state.pending is None
    assert len(list((d / "rounds").glob("round-*.json"))) == 2


# -- the ledger, on synthetic predictions --------------------------------------------------------------------------

def test_labels_random_needs_inverts_the_log_linear_fit():
    x = np.array([20.0, 40, 80, 160])
    y = 0.5 + 0.1 * np.log(x / 20)
    r, capped = labels_random_needs(x, y, 0.5 + 0.1 * np.log(640 / 20), low=20, cap=10_000)
    assert r == pytest.approx(640) and not capped
    assert labels_random_needs(x, y, 0.99, low=20, cap=1000) == (1000, True)
    assert labels_random_needs(x, np.full(4, 0.7), 0.8, low=20, cap=1000) == (1000, True)  # random's curve is flat


def _preds(n_eval: int, al_right: float, curve_right: list[float], labels: list[float], used: int) -> ArmPredictions:
    """Predictions right on the first share of the rows: scores known exactly."""
    y = np.array(["a", "b"] * (n_eval // 2))

    def pred(share):
        p = y.copy()
        wrong = np.arange(n_eval) >= round(share * n_eval)
        p[wrong] = np.where(y[wrong] == "a", "b", "a")
        return p
    return ArmPredictions("control_cv", y, pred(al_right), np.array(labels), np.array([pred(s) for s in curve_right]),
                          np.array(["a", "b"]), used, int(labels[0]), n_eval)


def test_estimate_ledger_on_known_curves():
    # random: 0.6 at 20, 0.7 at 40 labels (b = 0.1/ln 2); the model scores 0.8 with 100 labels: random needs 80
    p = _preds(200, 0.8, [0.6, 0.7], [20, 40], 100)
    led = estimate_ledger(p, "accuracy", pool_rows=10_000, cost_per_label=3.0, n_boot=200)
    assert led.available
    assert led.random_labels_needed["median"] == pytest.approx(80, rel=0.15)
    assert led.labels_saved["low"] < -20 < led.labels_saved["high"]
    assert led.money_saved["median"] == pytest.approx(3 * led.labels_saved["median"])
    d = led.to_dict()
    assert set(d["labels_saved"]) == {"median", "low", "high"} and "bootstrap" in d["method"]


def test_ledger_not_available_with_too_few_control_rows():
    p = _preds(2, 1.0, [0.5, 0.5], [20, 21], 30)
    led = estimate_ledger(p, "accuracy", pool_rows=100)
    assert not led.available and "control row" in led.reason and led.why == "few_control_rows"
    assert "2 more control row(s)" in led.what_would_help and "--validation" in led.what_would_help
    d = led.to_dict()
    assert d["labels_saved"] == {"median": None, "low": None, "high": None}
    assert d["why"] == "few_control_rows" and d["what_would_help"] == led.what_would_help
    assert "What would give one: 2 more control row(s)" in led.sentence()
    # at the threshold (4 control rows) it is not the reason any more
    assert estimate_ledger(_preds(4, 0.5, [0.5, 0.5], [20, 22], 30), "accuracy", pool_rows=100).why != \
        "few_control_rows"


def test_control_only_ledger_says_why_not_and_what_would_give_one():
    y = np.array(["a"] * 9 + ["b"])  # one row of the rarer class: 2 need about 20 rows, 10 more
    one = ArmPredictions("control_cv", y, y[::-1].copy(), np.array([20.0, 30]), np.array([[y, y]]),
                         np.array(["a", "b"]), 50, 20, 10)
    led = estimate_ledger(one, "accuracy", pool_rows=1000)
    assert led.why == "one_class" and "about 10 more control rows" in led.what_would_help
    # right on every held-out control row: 0 errors in 20 rows bounds the error rate below 3/20 only
    perfect = estimate_ledger(_preds(20, 1.0, [0.5, 0.6], [20, 30], 50), "accuracy", pool_rows=1000)
    assert perfect.why == "perfect_on_control" and "below about 15%" in perfect.reason
    assert "validation file" in perfect.what_would_help and "about 20 more control rows" in perfect.what_would_help
    # one error in 20 rows: a number
    assert estimate_ledger(_preds(20, 0.95, [0.5, 0.6], [20, 30], 50), "accuracy", pool_rows=1000).available
    # no plan, random's control points flat: the fit never reaches the model's score, so the "number" would be
    # the cap (every row of the file); the ledger says so and names a plan as what would give one
    flat = estimate_ledger(_preds(200, 0.9, [0.6, 0.6], [20, 40], 100), "accuracy", pool_rows=5_000, n_boot=100)
    assert not flat.available and flat.why == "curve_never_reaches" and flat.capped_share >= 0.5
    assert "--results" in flat.what_would_help and "What would give one: a plan" in flat.sentence()
    # the same control points with a plan's curve: a number (the plan gives the shape beyond them)
    prior = random_prior({"random_labels": [20, 40, 80, 160], "random_median": [0.6, 0.6, 0.8, 0.9]})
    assert estimate_ledger(_preds(200, 0.9, [0.6, 0.6], [20, 40], 100), "accuracy", pool_rows=5_000, n_boot=100,
                           random_prior=prior).available


def test_ledger_anchored_on_the_plan_curve():
    prior = random_prior({"random_labels": [20, 40, 80, 160], "random_median": [0.6, 0.7, 0.8, 0.9]})
    assert isinstance(prior, RandomPrior) and prior.tail_slope == pytest.approx(0.1 / np.log(2))
    # the control points lie 0.05 below the plan's random curve; the model scores 0.85 -> random needs 160
    p = _preds(400, 0.85, [0.55, 0.65], [20, 40], 100)
    led = estimate_ledger(p, "accuracy", pool_rows=10_000, n_boot=100, random_prior=prior)
    assert led.random_labels_needed["median"] == pytest.approx(160, rel=0.1)
    assert "plan's simulated random curve" in led.method
    assert float(prior(320)) == pytest.approx(1.0)


def test_ledger_draws_the_plans_seed_curves_per_resample():
    """With the plan's per-seed random curves the interval carries their spread (shape and control-arm noise)."""
    base = {"random_labels": [20, 40, 80, 160], "random_median": [0.6, 0.7, 0.8, 0.9]}
    # seeds that agree at the control points (20, 40) and differ beyond: only the shape is uncertain
    shape = {**base, "random_seeds": [[0.6, 0.7, 0.77, 0.84], [0.6, 0.7, 0.8, 0.9], [0.6, 0.7, 0.83, 0.96]]}
    # seeds with the median's shape, shifted: a fresh random sample of 20-40 labels lands +-0.03 off
    level = {**base, "random_seeds": [[0.57, 0.67, 0.77, 0.87], [0.6, 0.7, 0.8, 0.9], [0.63, 0.73, 0.83, 0.93]]}
    assert random_prior(base).seeds == () and len(random_prior(shape).seeds) == 3
    p = _preds(400, 0.85, [0.55, 0.65], [20, 40], 100)

    def width(curve):
        led = estimate_ledger(p, "accuracy", pool_rows=10_000, n_boot=300, random_prior=random_prior(curve))
        return led, led.random_labels_needed["high"] - led.random_labels_needed["low"]

    plain, w0 = width(base)
    for curve in (shape, level):
        led, w = width(curve)
        assert w > 1.5 * w0, (w, w0)
        # the figure is the estimate on all rows with the median curve: the same with or without seed draws
        assert led.random_labels_needed["median"] == plain.random_labels_needed["median"]
        assert led.random_labels_needed["low"] < 160 < led.random_labels_needed["high"]
        assert "one simulated seed" in led.method and "one simulated seed" not in plain.method
    # fewer than two usable seed curves (or rows of the wrong length): the median curve alone, as before
    assert random_prior({**base, "random_seeds": [[0.6, 0.7, 0.8, 0.9]]}).seeds == ()
    assert random_prior({**base, "random_seeds": [[0.6, 0.7], [0.6, 0.7]]}).seeds == ()


def test_plan_position():
    curve = {"labels": [20, 100], "median": [0.6, 0.8], "low": [0.55, 0.75], "high": [0.65, 0.85]}
    assert plan_position(curve, 60, 0.71)["verdict"] == "on track"
    assert plan_position(curve, 60, 0.6)["verdict"] == "behind"
    assert plan_position(curve, 60, 0.9)["verdict"] == "ahead"
    assert plan_position(curve, 200, 0.8)["beyond_simulated"] is True
    assert plan_position(None, 60, 0.7) is None


def test_plan_curve_from_results_and_status_against_it(tmp_path, capsys):
    """--results: the plan's expected curve and band in status, and the ledger anchored on the plan's random curve."""
    from dashboard.testing import small_run
    from simulations.results import save_results

    result, _, _ = small_run("penguins")  # random and margin, 2 seeds
    plan = save_results(result, tmp_path / "plan.json")
    files = demo_files("penguins", tmp_path / "files", n_initial=15, seed=0)
    d = _init(files, tmp_path / "p", "--results", str(plan))
    cfg = Project.open(d).config
    assert cfg.metric == result.metric and cfg.expected_curve["strategy"] == "margin"
    assert cfg.expected_curve["random_labels"][0] == 10
    seeds = cfg.expected_curve["random_seeds"]  # one random curve per simulated seed, at the same label counts
    assert len(seeds) == result.rounds["seed"].nunique() == 2
    assert all(len(row) == len(cfg.expected_curve["random_labels"]) for row in seeds)
    assert np.median(seeds, axis=0) == pytest.approx(cfg.expected_curve["random_median"])
    for r in (1, 2):
        _round(files, d, tmp_path, r, batch=20, share=0.3)
    capsys.readouterr()
    assert main(["project", "status", "--dir", str(d), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["plan"]["verdict"] in {"on track", "behind", "ahead"} and s["plan"]["labels"] == 55
    assert s["expected_curve"]["band"].startswith("10th-90th")
    if s["ledger"]["available"]:
        assert s["ledger"]["random_curve"]["shape"] == "plan"
        assert "plan's simulated random curve" in s["ledger"]["method"]
    assert main(["project", "init", "--data", str(files.data), "--label", files.label, "--dir", str(tmp_path / "q"),
                 "--results", str(plan), "--strategy", "entropy"]) == 2
    assert "has no run of 'entropy'" in capsys.readouterr().err


def test_own_id_column(tmp_path, capsys):
    f = tmp_path / "ids.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    frame = pd.DataFrame({"ticket": [f"T-{i:03d}" for i in range(60)], "x": x,
                          "y": np.where(x > 0, "pos", "neg").astype(object)})
    frame.loc[10:, "y"] = None
    frame.to_csv(f, index=False)
    d = tmp_path / "p"
    assert main(["project", "init", "--data", str(f), "--label", "y", "--dir", str(d), "--id", "ticket"]) == 0
    b = next_batch(Project.open(d), 6, 0.5)
    assert b["row_id"].str.startswith("T-").all() and "ticket" in b.columns
    b["y"] = np.where(b["x"] > 0, "pos", "neg")
    path = tmp_path / "l.csv"
    b.to_csv(path, index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(path)]) == 0
    assert Project.open(d).state.labels[b["row_id"].iloc[0]] in {"pos", "neg"}
    frame.loc[5, "ticket"] = "T-000"
    frame.to_csv(f, index=False)
    assert main(["project", "init", "--data", str(f), "--label", "y", "--dir", str(tmp_path / "q"), "--id",
                 "ticket"]) == 2
    assert "row ids must be unique" in capsys.readouterr().err


def test_batch_as_a_spreadsheet_round_trip(cancer, tmp_path):
    """A batch written as .xlsx and labeled in a spreadsheet is read back by intake's reader (as ids 12.0 or '12')."""
    d = _init(cancer, tmp_path / "p")
    out = tmp_path / "batch.xlsx"
    assert main(["project", "next", "--dir", str(d), "--batch", "10", "--out", str(out)]) == 0
    b = pd.read_excel(out)
    assert list(b.columns[:4]) == ["row_id", "why", "score", cancer.label] and len(b) == 10
    labeled = play_labelers(b, cancer.truth, cancer.label)
    labeled["row_id"] = labeled["row_id"].astype(float)  # a spreadsheet turned the ids into numbers
    labeled.to_excel(tmp_path / "labeled.xlsx", index=False)
    assert main(["project", "add", "--dir", str(d), "--labels", str(tmp_path / "labeled.xlsx")]) == 0
    assert Project.open(d).state.rounds[-1]["labels"] == 30
