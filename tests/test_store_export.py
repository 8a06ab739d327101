"""Issue 5: export every scenario to one JSON file and import it back losslessly, without losing either side.

Conflict rule (``on_conflict``): an incoming scenario whose id the store holds with *different* content is by
default added as a copy ("keep_both": new id, new link, name marked "(imported)"); "skip" keeps the store's
copy and "replace" overwrites it (explicit opt-in). Identical copies are left alone; a share id already used
by another scenario is never taken over.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.store import BUNDLE_FORMAT, Scenario, ScenarioStore, StoreError

NAMES = ["Support tickets – vendor B", "Étiquettes 名前 ✓ 🐧", "שלום עולם", "x'); DROP TABLE scenarios;--",
         "e\u0301 combining", "<b>bold</b> & \"quotes\""]


def _large_results(seed: int, n: int = 50_000) -> dict[str, Any]:
    rng = random.Random(seed)
    extremes = [5e-324, 2.2250738585072014e-308, sys.float_info.max, -0.0, 1 / 3, 2**53 + 1, -(2**63)]
    return {"results": {"accuracy": [rng.random() for _ in range(n)], "extremes": extremes,
                        "labels": {f"clé {i} ✓": [i, None, True, "ß"] for i in range(200)}},
            "analysis": {"verdict": "margin beats random", "nested": [[[{"deep": "ok"}]]]}}


def _fill(store: ScenarioStore) -> list[Scenario]:
    out = []
    for i, name in enumerate(NAMES):
        out.append(store.save(name, inputs={"config": {"seeds": i}, "note": name}, payload=_large_results(i, 2_000
                              if i else 50_000), dataset_name=f"données {i}.csv", dataset_fingerprint=f"fp{i}",
                              description=f"description {name}"))
    return out


def _all(store: ScenarioStore) -> dict[str, Scenario]:
    return {s.id: store.get(s.id) for s in store.list()}


def test_export_all_then_import_into_an_empty_store_is_lossless(tmp_path):
    src = ScenarioStore(tmp_path / "src.db")
    _fill(src)
    src.rename(src.list()[-1].id, "renamed later")  # updated_at differs from created_at
    out = tmp_path / "all.json"
    assert src.export_file(out) == len(NAMES)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".all.json")] == []  # temp file renamed away
    out.read_text(encoding="ascii")  # plain ASCII: safe whatever encoding a reader assumes
    dst = ScenarioStore(tmp_path / "dst.db")
    report = dst.import_file(out)
    assert sorted(report.added) == sorted(s.id for s in src.list()) and report.total == len(NAMES)
    assert report.kept_both == {} and report.relinked == []
    before, after = _all(src), _all(dst)
    assert after == before  # every field: ids, share ids, timestamps, names, inputs, payloads, description
    assert [s.id for s in dst.list()] == [s.id for s in src.list()]  # same order too
    big = next(s for s in after.values() if len(s.payload["results"]["accuracy"]) == 50_000)
    assert big.payload["results"]["extremes"][2] == sys.float_info.max
    for s in after.values():  # restored links work
        assert dst.get_by_share_id(s.share_id).id == s.id


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                     | st.text(max_size=20),
                     lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
                     max_leaves=15)


def test_round_trip_property(tmp_path):
    """Any name and any JSON payload survive save -> export -> JSON text -> import unchanged."""
    src, dst = ScenarioStore(tmp_path / "a.db"), ScenarioStore(tmp_path / "b.db")  # shared: opening is the slow part

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
           payload=st.dictionaries(st.text(max_size=8), _JSON, max_size=5))
    def check(name: str, payload: dict[str, Any]) -> None:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            return  # lone surrogates: refused at save time (tested below)
        sc = src.save(name, inputs={"n": name}, payload=payload, dataset_name=name, dataset_fingerprint="f",
                      description=name)
        bundle = json.loads(json.dumps(src.export_all()))  # through JSON text, as a file would be
        report = dst.import_all(bundle)
        assert report.added == [sc.id] and not report.kept_both  # earlier ones are unchanged, not copied
        assert _all(dst) == _all(src)
        got = dst.get(sc.id)
        assert got.payload == payload and got.name == " ".join(name.split())[:120] and got.description == name

    check()


def test_lone_surrogate_name_is_a_typed_error():
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(StoreError) as info:
            ScenarioStore(Path(d) / "a.db").save("bad \ud800", inputs={}, payload={}, dataset_name="d",
                                                 dataset_fingerprint="f")
        assert info.value.hint


def _pair(tmp_path) -> tuple[ScenarioStore, ScenarioStore, dict[str, Any], list[Scenario]]:
    """A source store, and a target that already holds some of it (one copy identical, one changed locally)."""
    src = ScenarioStore(tmp_path / "src.db")
    scs = [src.save(f"s{i}", inputs={"i": i}, payload={"v": i}, dataset_name="d", dataset_fingerprint="f")
           for i in range(4)]
    dst = ScenarioStore(tmp_path / "dst.db")
    dst.import_all({**src.export_all(), "scenarios": [asdict(scs[0]), asdict(scs[1])]})
    dst.update(scs[1].id, payload={"v": "changed here"})  # the target's own, newer work on s1
    dst.save("local only", inputs={}, payload={"local": True}, dataset_name="d", dataset_fingerprint="f")
    return src, dst, src.export_all(), scs


def test_import_keeps_both_sides_by_default(tmp_path):
    src, dst, bundle, scs = _pair(tmp_path)
    local_before = _all(dst)
    report = dst.import_all(bundle)
    assert report.unchanged == [scs[0].id] and sorted(report.added) == sorted([scs[2].id, scs[3].id])
    assert list(report.kept_both) == [scs[1].id] and not report.skipped and not report.replaced
    after = _all(dst)
    for sid, sc in local_before.items():  # nothing the target had was lost or overwritten
        assert after[sid] == sc
    copy = after[report.kept_both[scs[1].id]]
    incoming = src.get(scs[1].id)
    assert copy.name == "s1 (imported)" and copy.payload == incoming.payload == {"v": 1}
    assert copy.share_id != incoming.share_id and copy.created_at == incoming.created_at
    assert len(after) == len(local_before) + 3
    again = dst.import_all(bundle)  # importing again: a second copy, still nothing lost
    assert set(again.unchanged) == {s.id for s in scs if s.id != scs[1].id}
    assert after[report.kept_both[scs[1].id]] == _all(dst)[report.kept_both[scs[1].id]]
    assert _all(dst)[again.kept_both[scs[1].id]].name == "s1 (imported 2)"


def test_import_skip_and_replace_are_explicit(tmp_path):
    src, dst, bundle, scs = _pair(tmp_path)
    report = dst.import_all(bundle, on_conflict="skip")
    assert report.skipped == [scs[1].id] and dst.get(scs[1].id).payload == {"v": "changed here"}
    report = dst.import_all(bundle, on_conflict="replace")
    assert report.replaced == [scs[1].id] and dst.get(scs[1].id) == src.get(scs[1].id)
    assert {s.name for s in dst.list()} == {"s0", "s1", "s2", "s3", "local only"}
    with pytest.raises(StoreError, match="Unknown conflict rule") as info:
        dst.import_all(bundle, on_conflict="merge")  # type: ignore[arg-type]
    assert "keep_both" in info.value.hint


def test_a_share_id_already_used_here_is_never_taken_over(tmp_path):
    dst = ScenarioStore(tmp_path / "dst.db")
    mine = dst.save("mine", inputs={}, payload={"mine": 1}, dataset_name="d", dataset_fingerprint="f")
    theirs = {**asdict(mine), "id": "f" * 32, "name": "theirs", "payload": {"theirs": 1}}
    report = dst.import_all({"format": BUNDLE_FORMAT, "version": 1, "scenarios": [theirs]})
    assert report.added == report.relinked == ["f" * 32]
    assert dst.get_by_share_id(mine.share_id).id == mine.id
    assert dst.get("f" * 32).share_id != mine.share_id and dst.get("f" * 32).payload == {"theirs": 1}


@pytest.mark.parametrize("bad, match", [
    ({"format": "labelwise-scenario", "version": 1}, "not a Labelwise export of all"),
    ({"format": BUNDLE_FORMAT, "version": 99, "scenarios": []}, "newer"),
    ({"format": BUNDLE_FORMAT, "scenarios": []}, "incomplete"),
    ({"format": BUNDLE_FORMAT, "version": 1, "scenarios": "x"}, "incomplete"),
])
def test_bad_bundles_are_typed_errors(tmp_path, bad, match):
    with pytest.raises(StoreError, match=match) as info:
        ScenarioStore(tmp_path / "a.db").import_all(bad)
    assert info.value.hint


def test_an_import_is_all_or_nothing(tmp_path):
    src = ScenarioStore(tmp_path / "src.db")
    for i in range(3):
        src.save(f"s{i}", inputs={}, payload={"v": i}, dataset_name="d", dataset_fingerprint="f")
    bundle = src.export_all()
    del bundle["scenarios"][-1]["payload"]  # the last entry is broken
    dst = ScenarioStore(tmp_path / "dst.db")
    with pytest.raises(StoreError, match=r"Scenario 3 .* nothing was imported"):
        dst.import_all(bundle)
    bundle = src.export_all()
    bundle["scenarios"].append(dict(bundle["scenarios"][0]))
    with pytest.raises(StoreError, match="repeats an id"):
        dst.import_all(bundle)
    assert dst.list() == []


def test_files_that_are_not_bundles(tmp_path):
    store = ScenarioStore(tmp_path / "a.db")
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\xff\xfe not json")
    with pytest.raises(StoreError, match="Cannot read"):
        store.import_file(junk)
    with pytest.raises(StoreError, match="Cannot read"):
        store.import_file(tmp_path / "missing.json")
    store.save("one", inputs={}, payload={}, dataset_name="d", dataset_fingerprint="f")
    with pytest.raises(StoreError, match="several scenarios") as info:
        store.import_dict(store.export_all())  # the single-scenario import points to import_all
    assert "import_all" in info.value.hint
