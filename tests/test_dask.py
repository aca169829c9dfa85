"""`ocop batch --engine dask`: a real LocalCluster (2 worker processes) gives what the local
engine gives; a worker dying mid-partition costs nothing; without Dask, a sentence on how to
install it."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest
from conftest import jsonl_by_id, summary_line, write_jsonl

BAD = [{"id": "rong", "text": "  "}]


def test_dask_on_a_running_cluster_writes_what_the_local_engine_writes(
    run_cli, tmp_path, dask_cluster, own_records, many_records
):
    records = own_records + BAD + many_records[:40]
    src = write_jsonl(tmp_path / "in.jsonl", records)
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(local), "--workers", "2")
    assert code == 0, err
    code, _, err = run_cli(
        "batch", str(src), "-o", str(dask), "--engine", "dask",
        "--scheduler", dask_cluster.scheduler_address,
    )  # fmt: skip
    assert code == 0, err
    assert summary_line(err).startswith(f"{len(records) - 1} ok, 1 failed: 1 empty text")
    assert jsonl_by_id(dask) == jsonl_by_id(local)
    assert jsonl_by_id(tmp_path / "dask.errors.jsonl").keys() == {"rong"}

    # Resumable as the local engine is: a second run does nothing again.
    code, _, err = run_cli(
        "batch", str(src), "-o", str(dask), "--engine", "dask",
        "--scheduler", dask_cluster.scheduler_address,
    )  # fmt: skip
    assert summary_line(err).startswith(f"0 ok, 1 failed: 1 empty text; {len(records) - 1:,}")


def die_once(marker: str, doomed: str, tasks: list) -> list:
    """Process a partition, but kill the worker process the first time `doomed` is in it."""
    from ocop_nlp.batch.task import process_tasks

    if any(t.id == doomed for t in tasks) and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os._exit(1)  # like an out-of-memory kill: no exception, no goodbye
    return process_tasks(tasks)


def test_a_worker_dying_mid_partition_has_it_retried_without_duplicates(
    tmp_path, dask_cluster, many_records
):
    import cloudpickle

    from ocop_nlp.batch import run_batch
    from ocop_nlp.batch.cluster import dask_engine

    # The workers cannot import this test module: send die_once by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        marker = tmp_path / "died"
        records = many_records[:48]
        engine = dask_engine(
            scheduler=dask_cluster.scheduler_address,
            process=functools.partial(die_once, str(marker), records[20]["id"]),
        )
        src = write_jsonl(tmp_path / "in.jsonl", records)
        s = run_batch(src, tmp_path / "out.jsonl", engine=engine)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists(), "a worker was killed mid-partition"
    assert (s.ok, s.failed) == (len(records), 0)
    assert set(jsonl_by_id(tmp_path / "out.jsonl")) == {r["id"] for r in records}


def test_dask_without_a_scheduler_starts_a_local_cluster(run_cli, tmp_path, own_records):
    pytest.importorskip("dask.distributed")
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:4])
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--engine", "dask", "--workers", "2")
    assert code == 0, err
    assert set(jsonl_by_id(out)) == {r["id"] for r in own_records[:4]}


def test_dask_engine_without_dask_says_how_to_install_it(
    run_cli, tmp_path, own_records, monkeypatch
):
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # `import dask` now raises ImportError
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:1])
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("batch", str(src), "-o", str(out), "--engine", "dask")
    assert code == 1
    assert err == 'The Dask engine needs Dask; install it with: pip install "ocop-nlp[dask]".\n'
    assert not out.exists()


def test_dask_batch_fails_poison_records_alone(
    run_cli, tmp_path, dask_cluster, own_records, monkeypatch
):
    from test_batch import _poison_lines

    monkeypatch.setenv("OCOP_MAX_INPUT_BYTES", "200000")
    src = write_jsonl(tmp_path / "in.jsonl", own_records[:4], extra_lines=_poison_lines(200_000))
    out = tmp_path / "out.jsonl"
    args = ("batch", str(src), "-o", str(out), "--engine", "dask")
    code, _, err = run_cli(*args, "--scheduler", dask_cluster.scheduler_address)
    assert code == 0, err
    good = {r["id"] for r in own_records[:4]}
    assert set(jsonl_by_id(out)) == good | {"mat-\ufffd", "tieu-de-sau"}
    failures = jsonl_by_id(tmp_path / "out.errors.jsonl")
    assert {i: f["reason"] for i, f in failures.items()} == {
        "line-6": "bad json",
        "line-8": "too large",
    }


def test_resources_reach_the_workers_as_names_and_give_what_they_give_here(
    tmp_path, dask_cluster, cues_one_more
):
    from conftest import EXTRA_CUE, RESOURCE_TEXT

    from ocop_nlp.batch import run_batch
    from ocop_nlp.batch.cluster import dask_engine
    from ocop_nlp.batch.local import pool_engine, run_in_process
    from ocop_nlp.batch.task import Task, process_task
    from ocop_nlp.extract.resources import Resources

    mine = Resources.default().with_lexicons(cues=cues_one_more)
    records = [{"id": f"bt-{i}", "text": RESOURCE_TEXT} for i in range(3)]
    here = {r["id"]: process_task(Task(id=r["id"], record=r), mine)[1] for r in records}
    assert all(any(EXTRA_CUE in c["text"] for c in ex["challenges"]) for ex in here.values())
    src = write_jsonl(tmp_path / "in.jsonl", records)
    engine = dask_engine(scheduler=dask_cluster.scheduler_address, resources=mine)
    s = run_batch(src, tmp_path / "dask.jsonl", engine=engine)
    assert (s.ok, s.failed) == (3, 0)
    assert jsonl_by_id(tmp_path / "dask.jsonl") == here
    # the local pool's workers and this process too; the default resources give the packaged result
    run_batch(src, tmp_path / "pool.jsonl", engine=pool_engine(2, resources=mine))
    assert jsonl_by_id(tmp_path / "pool.jsonl") == here
    run_batch(src, tmp_path / "one.jsonl", engine=functools.partial(run_in_process, resources=mine))
    assert jsonl_by_id(tmp_path / "one.jsonl") == here
    run_batch(src, tmp_path / "default.jsonl", workers=1)
    assert not any(
        EXTRA_CUE in c["text"]
        for ex in jsonl_by_id(tmp_path / "default.jsonl").values()
        for c in ex["challenges"]
    )
