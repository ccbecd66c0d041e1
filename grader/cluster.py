"""Grading a class on a Dask cluster: ``katas grade-class CLASS --out OUT --scheduler ADDRESS``.

For a self-hosted class of hundreds: dask.distributed schedules one task per submission on its workers; each task
grades the submission exactly as ``katas grade`` does (grader.grading.grade_submission: its own grading process, the
learner's code in the sandboxed worker), so the results are those of the local path, test by test. Nothing assumes a
shared file system: the client sends each submission's files with its task and writes what comes back under
``OUT/<student>/``, then ``done.json`` and ``class.csv`` as the local path does (same resume rule: a student whose
files did not change since the last run is not graded again).

Workers need this repository installed, the same clone and pinned dependencies (``pip install -e '.[dev]'``), and
Linux for the sandbox's confinement, like any machine that grades. Start a scheduler with ``dask scheduler`` and
workers with ``dask worker tcp://HOST:8786 --nthreads 1`` (one submission at a time per worker process: each grading
uses its own processes; with ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` a worker forks its grading processes from
a warm one, as local:N's do, instead of starting each afresh). ``--scheduler local:N`` starts a local cluster of N
worker processes for the batch.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from grader import grading


def _files(sub: Path) -> dict[str, bytes]:
    """The submission's files as the task carries them: those its fingerprint covers (grading.fingerprint), so that
    the worker grades what the local path would read (a notebook in a dot-folder too), less a clone's .git."""
    skip = {".ipynb_checkpoints", "__pycache__", ".git"}
    return {p.relative_to(sub).as_posix(): p.read_bytes() for p in sorted(sub.rglob("*"))
            if p.is_file() and not skip & set(p.relative_to(sub).parts)}


def grade_files(name: str, files: dict[str, bytes], options: dict, gradebook: bytes | None = None) -> dict[str, bytes]:
    """On a Dask worker: grade one submission sent as {relative path: bytes}; returns the files written for it."""
    with tempfile.TemporaryDirectory(prefix="katas-dask-") as tmp:
        sub, out = Path(tmp) / "submission" / name, Path(tmp) / "out"
        for rel, data in files.items():
            p = sub / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        sub.mkdir(parents=True, exist_ok=True)
        book = None
        if gradebook is not None:
            book = Path(tmp) / "gradebook.db"
            book.write_bytes(gradebook)
        import multiprocessing
        # a worker process that may have children (local:N starts them so) forks its grading processes from a warm
        # one, as grade-class does on one machine; a daemonic one (dask's default) starts them afresh
        warm = not multiprocessing.current_process().daemon
        grading.grade_submission(sub, out, quiet=True, gradebook=book, student=name, warm=warm, **options)
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _client(scheduler: str):
    import dask
    from distributed import Client, LocalCluster
    if scheduler.startswith("local:"):
        with dask.config.set({"distributed.worker.daemon": False}):   # so that they may fork grading processes
            cluster = LocalCluster(n_workers=int(scheduler.split(":", 1)[1]), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def grade_class_on(scheduler: str, class_dir: Path, out: Path, *, timeout: float = 30.0, memory_mib: int = 4096,
                   budget: float = 1800.0, restart: bool = False, hide: list[str] = (),
                   hidden_visibility: str = "after_published", assignment: list[str] | None = None,
                   gradebook: Path | None = None) -> int:
    """grader.grading.grade_class on a Dask cluster (``scheduler``: tcp://HOST:PORT, or local:N). Returns the
    number of submissions that could not be graded."""
    from distributed import as_completed
    class_dir, out, students, progress, todo = grading.class_batch(class_dir, out, restart=restart,
                                                                   assignment=assignment)
    options = dict(timeout=timeout, memory_mib=memory_mib, budget=budget, hide=list(hide),
                   hidden_visibility=hidden_visibility, assignment=assignment)
    errors = 0
    if todo:
        client, cluster = _client(scheduler)
        try:
            book = client.scatter(Path(gradebook).read_bytes(), broadcast=True) if gradebook else None
            futures = {client.submit(grade_files, name, _files(class_dir / name), options, book,
                                     key=f"katas-grade-{name}-{fp[:12]}", pure=False): (name, fp)
                       for name, fp in todo}
            for fut in as_completed(futures):
                name, fp = futures[fut]
                dest = out / name
                if dest.exists():
                    shutil.rmtree(dest)
                dest.mkdir(parents=True)
                try:
                    for rel, data in fut.result().items():
                        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                        (dest / rel).write_bytes(data)
                    summary = json.loads((dest / "summary.json").read_text(encoding="utf-8"))
                    summary["submission"] = str(class_dir / name)
                except Exception as e:  # noqa: BLE001  (one submission never stops the batch)
                    import traceback
                    tb = fut.traceback() if fut.status == "error" else e.__traceback__   # the worker's, if it raised
                    (dest / "grade-log.txt").write_text("".join(traceback.format_tb(tb)) + f"{type(e).__name__}: {e}\n",
                                                        encoding="utf-8")
                    summary = {"status": f"error: grading failed on the cluster ({type(e).__name__}); see "
                                         "grade-log.txt", "score": 0, "max_score": 0, "exercises": {}}
                grading.write_done(dest, fp, summary)
                errors += grading.settle(out, students, progress, name, summary)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return grading.finish_batch(out, students, errors)
