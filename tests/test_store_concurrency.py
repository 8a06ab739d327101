"""Issue 5: concurrent saves from many sessions (threads and processes) keep every scenario intact.

8 threads and 4 processes save 25 distinct scenarios each against one database file, and after every save
update one shared scenario. Afterwards every scenario loads with exactly the payload it was saved with
(SHA-256 of its canonical JSON), nothing raised "database is locked", and the shared scenario holds exactly
one of the versions written to it (never a mix of two).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dashboard.store import ScenarioStore, StoreBusy, StoreError

N_THREADS, N_PROCS, SAVES = 8, 4, 25


def _payload(worker: str, i: int) -> dict[str, Any]:
    """A deterministic, self-describing payload: worker and step are inside, the rest derives from them."""
    seed = hashlib.sha256(f"{worker}/{i}".encode()).hexdigest()
    return {"worker": worker, "i": i, "curve": [int(seed[j:j + 4], 16) / 65535 for j in range(0, 60, 4)],
            "note": f"Scénario {worker} nº{i} – {seed * 40}"}


def _checksum(obj: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _work(path: str, worker: str, shared_id: str) -> dict[str, Any]:
    """SAVES new scenarios, each followed by an update of the shared one; records what was written."""
    store = ScenarioStore(path)
    saved: dict[str, str] = {}
    shared: list[str] = []
    errors: list[str] = []
    for i in range(SAVES):
        p = _payload(worker, i)
        try:
            sc = store.save(f"{worker} #{i}", inputs={"worker": worker, "i": i}, payload=p, dataset_name="d",
                            dataset_fingerprint=worker)
            saved[sc.id] = _checksum(p)
            sp = _payload(f"shared-{worker}", i)
            store.update(shared_id, payload=sp, name=f"shared by {worker} #{i}")
            shared.append(_checksum(sp))
        except Exception as exc:  # recorded, asserted on by the test: nothing may escape
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"saved": saved, "shared": shared, "errors": errors}


def _process_main(path: str, worker: str, shared_id: str, out: str) -> None:
    Path(out).write_text(json.dumps(_work(path, worker, shared_id)))


def test_threads_and_processes_save_concurrently(tmp_path):
    path = tmp_path / "shared.db"
    store = ScenarioStore(path)
    shared = store.save("shared", inputs={}, payload={"worker": "none", "i": -1}, dataset_name="d",
                        dataset_fingerprint="f")
    ctx = mp.get_context("fork")  # Linux; spawn would re-import pytest's module by path
    procs = [ctx.Process(target=_process_main, args=(str(path), f"p{k}", shared.id, str(tmp_path / f"p{k}.json")))
             for k in range(N_PROCS)]
    results: dict[str, dict[str, Any]] = {}

    def thread_main(worker: str) -> None:
        results[worker] = _work(str(path), worker, shared.id)

    threads = [threading.Thread(target=thread_main, args=(f"t{k}",)) for k in range(N_THREADS)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for p in procs:
        p.join(120)
    elapsed = time.perf_counter() - t0
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    for k in range(N_PROCS):
        results[f"p{k}"] = json.loads((tmp_path / f"p{k}.json").read_text())

    errors = [e for r in results.values() for e in r["errors"]]
    assert errors == []  # in particular no "database is locked"
    expected = {sid: ck for r in results.values() for sid, ck in r["saved"].items()}
    attempted = (N_THREADS + N_PROCS) * SAVES
    assert len(expected) == attempted

    store = ScenarioStore(path)
    assert store.check() == []
    assert len(store.list()) == attempted + 1
    intact = sum(_checksum(store.get(sid).payload) == ck for sid, ck in expected.items())
    assert intact == attempted
    # The shared scenario is exactly one written version: its payload, and its name from the same update.
    final = store.get(shared.id)
    written = {ck for r in results.values() for ck in r["shared"]}
    assert len(written) == attempted and _checksum(final.payload) in written
    assert final.name == f"shared by {final.payload['worker'].removeprefix('shared-')} #{final.payload['i']}"
    print(f"\nconcurrent saves: attempted {attempted}, intact {intact}, shared updates {len(written)}, "
          f"{elapsed:.1f} s")


def test_a_long_held_lock_gives_a_typed_error_with_a_hint_then_recovers(tmp_path):
    path = tmp_path / "busy.db"
    store = ScenarioStore(path, busy_timeout=0.3)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another session holding the write lock
    try:
        t0 = time.perf_counter()
        with pytest.raises(StoreBusy) as info:
            store.save("x", inputs={}, payload={}, dataset_name="d", dataset_fingerprint="f")
        assert 0.25 <= time.perf_counter() - t0 < 3
        assert isinstance(info.value, StoreError) and "busy" in info.value.message and info.value.hint
        assert "locked" not in info.value.message
        assert store.list() == []  # readers are not blocked by a writer (WAL)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    sc = store.save("x", inputs={}, payload={"a": 1}, dataset_name="d", dataset_fingerprint="f")
    assert store.get(sc.id).payload == {"a": 1}


def test_a_writer_waits_for_a_short_lock_instead_of_failing(tmp_path):
    path = tmp_path / "wait.db"
    store = ScenarioStore(path, busy_timeout=10)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, lambda: (blocker.execute("COMMIT"), blocker.close()))
    release.start()
    try:
        t0 = time.perf_counter()
        sc = store.save("after the lock", inputs={}, payload={"b": 2}, dataset_name="d", dataset_fingerprint="f")
        assert time.perf_counter() - t0 >= 0.2  # it did wait for the lock
    finally:
        release.join()
    assert store.get(sc.id).payload == {"b": 2}


def test_concurrent_first_opens_of_an_old_file_migrate_once(tmp_path):
    """Several sessions opening a fresh file at once: the migration runs under the write lock, once."""
    path = tmp_path / "fresh.db"
    errors: list[Exception] = []

    def open_it() -> None:
        try:
            ScenarioStore(path).save("s", inputs={}, payload={}, dataset_name="d", dataset_fingerprint="f")
        except Exception as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = ScenarioStore(path)
    assert len(store.list()) == 8 and store.journal_mode() == "wal"


def test_opening_an_up_to_date_store_does_not_wait_for_a_writer(tmp_path):
    """Every page run opens a store: a share link must read while another session holds the write lock."""
    path = tmp_path / "open.db"
    sc = ScenarioStore(path).save("shared", inputs={}, payload={"a": 1}, dataset_name="d", dataset_fingerprint="f")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another session in the middle of a long save
    try:
        t0 = time.perf_counter()
        store = ScenarioStore(path, busy_timeout=0.5)
        assert store.get_by_share_id(sc.share_id).payload == {"a": 1}
        assert time.perf_counter() - t0 < 0.4  # read at once, not after waiting out the lock
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
