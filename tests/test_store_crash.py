"""Issue 5: a process killed in the middle of a save leaves the store readable, with the old or the new version.

A child process updates two scenarios and inserts new ones in a loop, with payloads of about 400 kB so a save
takes a while, and is SIGKILLed at seeded random moments. After every kill the store opens, passes
``PRAGMA integrity_check``, every scenario is exactly one version that was written, no save that returned
was lost, and once the store has been used again the ``-wal``/``-shm`` journal files are gone.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import time
from contextlib import closing
from typing import Any

import pytest

from dashboard.store import ScenarioStore

KILLS = 20
SEED = 20240605
BLOB_CHARS = 400_000


def _big(k: int) -> dict[str, Any]:
    """Version k of a payload: about 400 kB, fully determined by k (so any stored copy can be checked)."""
    digest = hashlib.sha256(str(k).encode()).hexdigest()
    return {"k": k, "blob": digest * (BLOB_CHARS // 64), "curve": [k / (j + 1) for j in range(50)]}


def _op(k: int) -> str:
    """What save number k does: insert a new scenario every 4th, else update scenario A or B."""
    return "insert" if k % 4 == 0 else ("A" if k % 2 else "B")


def _writer(path: str, ids: dict[str, str], first: int, started: Any, committed: Any) -> None:
    store = ScenarioStore(path)
    k = first
    while True:
        started.value = k
        if _op(k) == "insert":
            store.save(f"new-{k}", inputs={"k": k}, payload=_big(k), dataset_name="d", dataset_fingerprint="f")
        else:
            store.update(ids[_op(k)], payload=_big(k), inputs={"k": k})
        committed.value = k
        k += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start writers quickly")
def test_sigkill_during_saves_never_damages_the_store(tmp_path):
    path = tmp_path / "crash.db"
    store = ScenarioStore(path)
    ids = {t: store.save(t, inputs={"k": -1}, payload=_big(-1), dataset_name="d", dataset_fingerprint="f").id
           for t in ("A", "B")}
    current = {"A": -1, "B": -1}  # the version each updated scenario must hold (if no save was in flight)
    inserted: set[int] = set()  # inserts whose save returned: must all be there
    rng = random.Random(SEED)
    ctx = mp.get_context("fork")
    intact = mid_save = wal_left = 0
    for trial in range(KILLS):
        first = trial * 1000
        started, committed = ctx.Value("q", first - 1, lock=False), ctx.Value("q", first - 1, lock=False)
        child = ctx.Process(target=_writer, args=(str(path), ids, first, started, committed), daemon=True)
        child.start()
        deadline = time.monotonic() + 30
        while started.value < first and time.monotonic() < deadline:  # wait until it is saving
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL
        s, c = started.value, committed.value
        in_flight = s if s > c else None
        mid_save += in_flight is not None
        wal_left += os.path.exists(f"{path}-wal")

        # What every save that returned wrote must be there; the one in flight may or may not be.
        for k in range(first, c + 1):
            if _op(k) == "insert":
                inserted.add(k)
            else:
                current[_op(k)] = k
        store = ScenarioStore(path)
        assert store.check() == []
        with closing(sqlite3.connect(path)) as raw:  # a second, independent reader
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for t, sid in ids.items():
            got = store.get(sid)
            allowed = {current[t]} | ({in_flight} if in_flight is not None and _op(in_flight) == t else set())
            assert got.payload["k"] in allowed, (trial, t, got.payload["k"], allowed)
            assert got.payload == _big(got.payload["k"]) and got.inputs == {"k": got.payload["k"]}
            current[t] = got.payload["k"]  # the in-flight update may have landed: later trials build on it
        news = {int(s.name.removeprefix("new-")): s.id for s in store.list() if s.name.startswith("new-")}
        assert inserted <= set(news) <= inserted | ({in_flight} if in_flight is not None else set())
        inserted = set(news)
        for k, sid in news.items():
            assert store.get(sid).payload == _big(k)
        intact += 1
        # The store was opened and every connection closed again: the journal was checkpointed and removed.
        assert not os.path.exists(f"{path}-wal") and not os.path.exists(f"{path}-shm")
    assert intact == KILLS
    assert mid_save >= KILLS // 4  # the kills did land during saves, not only between them
    print(f"\nkills {KILLS}, stores intact {intact}, kills during a save {mid_save}, -wal left by the kill {wal_left}")
