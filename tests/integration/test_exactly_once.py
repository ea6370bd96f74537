"""Re-running adds nothing; a changed file is new input; a run killed at any point leaves the
tables at their last good snapshot, and the next run completes the work with no duplicates and
removes the orphaned files."""

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest


def referenced_files(table) -> set:
    """Every file reachable from the table's metadata, as local paths."""
    import fastavro

    local = lambda uri: str(Path(urlparse(uri).path))
    refs = {local(table.metadata_location)}
    refs |= {local(e.metadata_file) for e in table.metadata.metadata_log}
    for snapshot in table.metadata.snapshots:
        refs.add(local(snapshot.manifest_list))
        with open(local(snapshot.manifest_list), "rb") as f:
            for m in fastavro.reader(f):
                refs.add(local(m["manifest_path"]))
                with open(local(m["manifest_path"]), "rb") as mf:
                    for e in fastavro.reader(mf):
                        refs.add(local(e["data_file"]["file_path"]))
    return refs


def files_under(ws, table_name) -> set:
    root = ws.root / "lake" / "trading" / table_name
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def pipeline_without_orphan_delay(ws, name: str, input_file: str) -> str:
    """A pipeline over `input_file` that removes orphaned files at once (no age threshold)."""
    return ws.write_pipeline(
        name,
        {
            "path: etrm_trades.csv": f"path: {input_file}",
            "pipeline: etrm-daily": "pipeline: etrm-daily\ncleanup: {orphan_min_age_seconds: 0}",
        },
    )


def run_killed_at(ws, pipeline: str, point: str, *args: str) -> None:
    """Runs `pipeline` with TRADEFLOW_CRASH_AT=point and checks it died of SIGKILL there."""
    killed = subprocess.run(
        [str(ws.binary), "run", pipeline, *args],
        cwd=ws.root,
        capture_output=True,
        text=True,
        env={**os.environ, "TRADEFLOW_CRASH_AT": point},
    )
    assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr)


def test_rerun_adds_nothing_and_says_so(workspace):
    assert workspace.run_pipeline().returncode == 0
    before = workspace.table().metadata_location
    again = workspace.run_pipeline()
    assert again.returncode == 0, again.stderr
    assert "skipped: already ingested in snapshot" in again.stdout
    assert "nothing new" in again.stdout
    assert workspace.table().metadata_location == before
    assert workspace.table().scan().to_arrow().num_rows == 300


def test_a_changed_file_is_new_input(workspace):
    assert workspace.run_pipeline().returncode == 0
    path = workspace.root / "etrm_trades.csv"
    lines = path.read_bytes().decode().split("\r\n")
    header, first = lines[0], lines[1].split(",")
    first[0] = "999001"  # a new deal
    first[1] = "9999001"
    path.write_bytes("\r\n".join(lines + [",".join(first)]).encode())
    result = workspace.run_pipeline()
    assert result.returncode == 0, result.stderr
    # The 300 old versions are replays of what the table holds (the same content): accepted
    # and not stored again. The new deal lands.
    assert "read 301 = accepted 301 + quarantined 0" in result.stdout
    assert ("of the accepted, 300 were versions already stored with the same content (replays, "
            "not stored again)") in result.stdout
    assert workspace.table().scan().to_arrow().num_rows == 301
    snapshot = workspace.table().current_snapshot().summary
    assert snapshot["tradeflow.records-replayed"] == "300"
    assert snapshot["added-records"] == "1"


CRASH_POINTS = [
    "data-file-written",  # while writing data files
    "manifest-written",  # after the manifests
    "metadata-written",  # new metadata written, catalog not yet swapped
    "catalog-commit",  # inside the catalog transaction
]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_leaves_the_last_good_snapshot_and_the_next_run_recovers(workspace, point):
    # A first good run, then a second input whose run is killed.
    assert workspace.run_pipeline().returncode == 0
    good = workspace.table()
    good_location, good_rows = good.metadata_location, good.scan().to_arrow().num_rows

    write_day2(workspace)  # new deal numbers
    pipeline = pipeline_without_orphan_delay(workspace, "day2.yaml", "day2.csv")
    run_killed_at(workspace, pipeline, point)

    # Readers see exactly the last good snapshot.
    table = workspace.table()
    assert table.metadata_location == good_location
    assert table.scan().to_arrow().num_rows == good_rows
    orphans = files_under(workspace, "trade_events") - referenced_files(table)
    assert orphans, "the killed run should have left files behind"

    # The next run completes the work, with no duplicates, and removes the orphans.
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "removed" in result.stdout and "orphaned files" in result.stdout
    table = workspace.table()
    ids = table.scan().to_arrow().column("source_record_id").to_pylist()
    assert len(ids) == good_rows + 300
    assert len(set(zip(ids, table.scan().to_arrow().column("source_trade_id").to_pylist()))) == len(ids)
    assert files_under(workspace, "trade_events") == referenced_files(table)
    assert workspace.run_pipeline(pipeline).stdout.count("skipped: already ingested") == 1


def test_a_reading_stopped_between_its_commits_whose_file_changed_is_named(workspace):
    """Killed between its two commits, a run leaves rejects without trades; the next run over the
    same content finishes it. If the file changed meanwhile nothing can, and each run says so."""
    lines = (workspace.root / "etrm_trades.csv").read_bytes().decode().split("\r\n")
    lines[3] = lines[3].replace(",CP10", ",XX10", 1)  # an unknown counterparty
    (workspace.root / "mixed.csv").write_bytes("\r\n".join(lines).encode())
    pipeline = pipeline_without_orphan_delay(workspace, "mixed.yaml", "mixed.csv")
    run_killed_at(workspace, pipeline, "catalog-swapped:quarantine")
    (workspace.root / "mixed.csv").write_bytes("\r\n".join(lines[:-5] + [""]).encode())

    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert re.search(r"mixed\.csv \(sha256 [0-9a-f]{12}\): run [0-9a-f-]+ stored 1 of its records "
                     r"in trading\.quarantine and stopped before committing its trades, and that "
                     r"content is no longer among the inputs \(the file changed since\?\)",
                     result.stderr), result.stderr
    assert "put that content back among the inputs and run again" in result.stderr
    # The summary says it too, not only a note on stderr that a scheduler's log may bury.
    assert re.search(r"unfinished reading: \S*mixed\.csv \(sha256 ", result.stdout), result.stdout


def test_kill_between_the_quarantine_and_the_trade_commit(workspace):
    """The quarantine snapshot lands, the trade snapshot does not: the next run commits the
    trades and does not quarantine the same records twice."""
    lines = (workspace.root / "etrm_trades.csv").read_bytes().decode().split("\r\n")
    lines[3] = lines[3].replace(",CP10", ",XX10", 1)  # an unknown counterparty
    (workspace.root / "mixed.csv").write_bytes("\r\n".join(lines).encode())
    pipeline = pipeline_without_orphan_delay(workspace, "mixed.yaml", "mixed.csv")
    run_killed_at(workspace, pipeline, "catalog-swapped:quarantine")
    catalog = workspace.catalog()
    assert len(catalog.load_table("trading.quarantine").scan().to_arrow()) == 1
    assert ("trading", "trade_events") not in catalog.list_tables("trading")

    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 300 = accepted 299 + quarantined 1" in result.stdout
    assert "stopped before committing its trades" not in result.stderr  # finished, not stuck
    assert len(workspace.catalog().load_table("trading.quarantine").scan().to_arrow()) == 1
    assert workspace.table().scan().to_arrow().num_rows == 299


def start_paused_before_commit(ws, pipeline: str, point: str = "before-commit",
                               pause: str = "pause") -> subprocess.Popen:
    """Starts `pipeline` and returns once it has written all its data files and waits to
    commit (TRADEFLOW_PAUSE_AT=before-commit, or `point`); deleting ws.root / `pause` lets it
    go on."""
    pause = ws.root / pause
    run = subprocess.Popen(
        [str(ws.binary), "run", pipeline],
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TRADEFLOW_PAUSE_AT": point, "TRADEFLOW_PAUSE_FILE": str(pause)},
    )
    for _ in range(6000):
        if pause.exists() or run.poll() is not None:
            break
        time.sleep(0.01)
    assert pause.exists(), run.communicate(timeout=10)
    return run


def resume(ws, run: subprocess.Popen, pause: str = "pause"):
    """Lets a run started by start_paused_before_commit go on; its (stdout, stderr) once done."""
    (ws.root / pause).unlink()
    return run.communicate(timeout=120)


def write_day2(ws, reject: bool = False, replay: bool = False) -> None:
    """day2.csv: the example's trades under new deal numbers (with `reject`, the trade on line 4
    names an unknown counterparty); other.csv: only day2.csv's line 2, its first trade version,
    sent again from elsewhere under another trader (the same version with other content), or
    with `replay` as it is."""
    lines = (ws.root / "etrm_trades.csv").read_bytes().decode().split("\r\n")
    day2 = [lines[0]] + [("2" + l) for l in lines[1:] if l]
    if reject:
        day2[3] = day2[3].replace(",CP10", ",XX10", 1)
    (ws.root / "day2.csv").write_bytes("\r\n".join(day2).encode())
    header = lines[0].split(",")
    fields = next(csv.reader([day2[1]]))
    if not replay:
        fields[header.index("trader")] += "-2"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    other = out.getvalue()
    (ws.root / "other.csv").write_bytes("\r\n".join([lines[0], other]).encode())


def pipeline_over(ws, input_file: str, replacements: dict = None) -> str:
    """The example pipeline over `input_file`, as <input>.yaml."""
    name = input_file.replace(".csv", ".yaml")
    return ws.write_pipeline(name, {"path: etrm_trades.csv": f"path: {input_file}", **(replacements or {})})


@pytest.mark.parametrize("table_exists", [False, True])
@pytest.mark.parametrize("with_reject", [True, False])
def test_two_runs_of_the_same_file_at_once_ingest_it_once(workspace, table_exists, with_reject):
    """Two runs read the same new file at the same time (an overlapping schedule, a retry):
    the first to commit ingests it; the other finds that out when it commits, commits nothing,
    removes its data files and says what happened. No trade and no reject lands twice."""
    if table_exists:
        assert workspace.run_pipeline().returncode == 0
    before = workspace.table().scan().to_arrow().num_rows if table_exists else 0
    write_day2(workspace, reject=with_reject)  # a reject: the quarantine table gets a commit too
    accepted, rejected = (299, 1) if with_reject else (300, 0)
    pipeline = pipeline_over(workspace, "day2.csv")

    late = start_paused_before_commit(workspace, pipeline)
    first = workspace.run_pipeline(pipeline)
    assert first.returncode == 0, first.stderr
    assert f"read 300 = accepted {accepted} + quarantined {rejected}" in first.stdout
    out, err = resume(workspace, late)
    assert late.returncode == 75, (late.returncode, err)  # EX_TEMPFAIL: run again
    # The first commit the late run tries is the one that finds out.
    table_name = "quarantine" if with_reject else "trade_events"
    assert f"day2.csv was committed to trading.{table_name} by another run" in err, err
    assert "this run committed nothing more" in err and "run again" in err, err

    table = workspace.table()
    assert table.scan().to_arrow().num_rows == before + accepted
    # The late run's data files are gone at once, not left for the next cleanup.
    assert files_under(workspace, "trade_events") == referenced_files(table)
    if with_reject:
        quarantine = workspace.catalog().load_table("trading.quarantine")
        assert quarantine.scan().to_arrow().num_rows == 1
        assert files_under(workspace, "quarantine") == referenced_files(quarantine)
    else:
        assert not files_under(workspace, "quarantine")
    assert "skipped: already ingested" in workspace.run_pipeline(pipeline).stdout


def test_a_trade_version_committed_by_another_run_meanwhile_is_not_stored_twice(workspace):
    """Two runs of different files that hold the same trade version, at once: each checked the
    table's versions when it started, so the one that commits second finds the repeat at its
    commit, commits nothing and says which version; run again, the repeat goes to quarantine."""
    write_day2(workspace)
    day2_pipeline = pipeline_over(workspace, "day2.csv")
    other_pipeline = pipeline_over(workspace, "other.csv")

    late = start_paused_before_commit(workspace, day2_pipeline)
    first = workspace.run_pipeline(other_pipeline)
    assert first.returncode == 0, first.stderr
    out, err = resume(workspace, late)
    assert late.returncode != 0, out
    assert "trade version (ENDUR, " in err and "of day2.csv line 2 was committed" in err, err
    assert "run again" in err, err
    table = workspace.table()
    assert table.scan().to_arrow().num_rows == 1
    assert files_under(workspace, "trade_events") == referenced_files(table)

    again = workspace.run_pipeline(day2_pipeline)
    assert again.returncode == 0, again.stderr
    assert "read 300 = accepted 299 + quarantined 1" in again.stdout
    assert workspace.table().scan().to_arrow().num_rows == 300
    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert [f["rule"] for r in rejects for f in r["failures"]] == ["unique_version"]
    assert "is a duplicate with different content: already in the table" in (
        rejects[0]["failures"][0]["message"])


def test_a_replay_committed_by_another_run_meanwhile_is_stored_once(workspace):
    """As above, but the other file sends the version with the same content: the late run still
    commits nothing (both would store it), and run again it finds a replay and stores the rest."""
    write_day2(workspace, replay=True)
    day2_pipeline = pipeline_over(workspace, "day2.csv")
    other_pipeline = pipeline_over(workspace, "other.csv")

    late = start_paused_before_commit(workspace, day2_pipeline)
    assert workspace.run_pipeline(other_pipeline).returncode == 0
    out, err = resume(workspace, late)
    assert late.returncode != 0, out
    assert "was committed to trading.trade_events by another run with the same content" in err
    assert "the repeated version then is a replay (the same content), not stored again" in err

    again = workspace.run_pipeline(day2_pipeline)
    assert again.returncode == 0, again.stderr
    assert "read 300 = accepted 300 + quarantined 0" in again.stdout
    assert "of the accepted, 1 was a version already stored with the same content" in again.stdout
    rows = workspace.table().scan().to_arrow().to_pylist()
    assert len(rows) == 300
    assert len({(r["source_trade_id"], r["source_version"]) for r in rows}) == 300


def test_a_cleanup_that_removes_a_running_writers_files_fails_its_commit(workspace):
    """An orphan cleanup with a minimum age shorter than a run removes that run's data files
    while it still writes: the run's commit then fails and says why, rather than committing a
    snapshot that points at missing files."""
    write_day2(workspace)
    assert workspace.run_pipeline().returncode == 0
    day2_pipeline = pipeline_over(workspace, "day2.csv")
    eager = pipeline_without_orphan_delay(workspace, "eager.yaml", "etrm_trades.csv")

    late = start_paused_before_commit(workspace, day2_pipeline)
    cleaner = workspace.run_pipeline(eager)  # nothing new to read, but it cleans up first
    assert cleaner.returncode == 0 and "removed" in cleaner.stdout, cleaner.stdout
    out, err = resume(workspace, late)
    assert late.returncode != 0, out
    assert "is gone before its commit, so nothing was committed" in err, err
    assert workspace.table().scan().to_arrow().num_rows == 300
    # With the default minimum age (a day), the same run lands.
    result = workspace.run_pipeline(day2_pipeline)
    assert result.returncode == 0, result.stderr
    assert workspace.table().scan().to_arrow().num_rows == 600


def test_a_reject_of_a_run_refused_after_its_quarantine_commit_is_stored_by_the_next(workspace):
    """The late run's quarantine commit lands (its own reject), then its trade commit is refused
    (a version another run committed meanwhile). Running it again adds the repeat to quarantine,
    as unique_version, without storing the earlier reject a second time."""
    write_day2(workspace, reject=True)  # an unknown counterparty on line 4
    day2_pipeline = pipeline_over(workspace, "day2.csv")
    other_pipeline = pipeline_over(workspace, "other.csv")

    late = start_paused_before_commit(workspace, day2_pipeline)
    assert workspace.run_pipeline(other_pipeline).returncode == 0
    out, err = resume(workspace, late)
    assert late.returncode != 0 and "committed quarantine snapshot" in err, (out, err)
    assert "of day2.csv line 2 was committed" in err, err

    again = workspace.run_pipeline(day2_pipeline)
    assert again.returncode == 0, again.stderr
    assert "read 300 = accepted 298 + quarantined 2" in again.stdout
    assert workspace.table().scan().to_arrow().num_rows == 1 + 298
    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert sorted((r["line"], f["rule"]) for r in rejects for f in r["failures"]) == [
        (2, "unique_version"),
        (4, "known_counterparty"),
    ]


def test_a_repeated_version_that_is_only_a_warning_is_stored_flagged_after_a_rerun(workspace):
    """With unique_version as a warning, a repeat is stored flagged. A run that finds the repeat
    committed by another run while it ran has not flagged it, so it commits nothing and says
    that a second run stores it flagged, which it does."""
    write_day2(workspace)
    warn = {"validation:": "validation:\n  builtin: {unique_version: warning}"}
    day2_pipeline = pipeline_over(workspace, "day2.csv", warn)
    other_pipeline = pipeline_over(workspace, "other.csv", warn)

    late = start_paused_before_commit(workspace, day2_pipeline)
    assert workspace.run_pipeline(other_pipeline).returncode == 0
    out, err = resume(workspace, late)
    assert late.returncode != 0, out
    assert "run again: the repeated version then is stored with a unique_version warning" in err
    again = workspace.run_pipeline(day2_pipeline)
    assert again.returncode == 0, again.stderr
    rows = workspace.table().scan().to_arrow().to_pylist()
    assert len(rows) == 1 + 300
    flagged = [r for r in rows if any(w["rule"] == "unique_version" for w in r["quality_warnings"])]
    assert len(flagged) == 1 and flagged[0]["source_trade_id"] == "2100001"
    # Both contents of that version are stored now: either one sent again is a replay.
    for name in ("day2", "other"):
        shutil.copy(workspace.root / f"{name}.csv", workspace.root / f"{name}_again.csv")
        with open(workspace.root / f"{name}_again.csv", "ab") as f:
            f.write(b"\r\n")  # other bytes: a new input
        resent = workspace.run_pipeline(pipeline_over(workspace, f"{name}_again.csv", warn))
        assert resent.returncode == 0, resent.stderr
        assert "+ quarantined 0" in resent.stdout and "already stored" in resent.stdout
    assert workspace.table().scan().to_arrow().num_rows == 1 + 300


def test_the_same_bytes_under_two_names_are_read_once_and_the_summary_says_so(workspace):
    shutil.copy(workspace.root / "etrm_trades.csv", workspace.root / "copy.csv")
    pipeline = workspace.write_pipeline(
        "both.yaml", {"path: etrm_trades.csv": 'paths: [etrm_trades.csv, "*.csv"]'}
    )
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "skipped: same content as copy.csv\n" in result.stdout
    assert "total: read 300 = accepted 300 + quarantined 0" in result.stdout
    assert workspace.table().scan().to_arrow().num_rows == 300


@pytest.mark.parametrize("on_bad_file", ["fail", "skip"])
def test_a_file_changed_after_the_run_hashed_it_is_not_recorded_as_ingested(workspace, on_bad_file):
    # An export still being written when the run starts: the run hashes 300 trades, then reads
    # what the file holds by then. Recording that under the first hash would make a later
    # delivery of the complete file "already ingested" with records missing.
    path = workspace.root / "etrm_trades.csv"
    complete = path.read_bytes()
    shutil.copy(path, workspace.root / "other.csv")
    (workspace.root / "other.csv").write_bytes(complete.replace(b"\r\n1", b"\r\n8"))
    pipeline = workspace.write_pipeline("two.yaml", {
        "path: etrm_trades.csv": "paths: [etrm_trades.csv, other.csv]",
        "on_bad_record: quarantine": f"on_bad_record: quarantine\nmax_bad_records: 5%\non_bad_file: {on_bad_file}",
    })
    run = start_paused_before_commit(workspace, pipeline, point="inputs-hashed")
    path.write_bytes(b"\r\n".join(complete.split(b"\r\n")[:51]))  # the first 50 trades
    out, err = resume(workspace, run)
    assert run.returncode == 1, out + err
    assert "etrm_trades.csv: changed since the run hashed it (its size went from" in err
    if on_bad_file == "fail":
        assert not (workspace.root / "lake" / "trading").exists()  # nothing committed
    else:
        assert "skipped: left out, not ingested: etrm_trades.csv: changed since" in out
        assert workspace.table().scan().to_arrow().num_rows == 300  # other.csv
    # The complete file is ingested by the next run, not skipped as ingested already.
    path.write_bytes(complete)
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert workspace.table().scan().to_arrow().num_rows == 600


def test_a_file_removed_after_the_run_listed_it_is_left_out_with_on_bad_file_skip(workspace):
    # An archiving job moves one export away while the run is under way: the others land.
    path = workspace.root / "etrm_trades.csv"
    (workspace.root / "other.csv").write_bytes(path.read_bytes().replace(b"\r\n1", b"\r\n8"))
    pipeline = workspace.write_pipeline("two.yaml", {
        "path: etrm_trades.csv": "paths: [etrm_trades.csv, other.csv]",
        "on_bad_record: quarantine": "on_bad_record: quarantine\nmax_bad_records: 5%\non_bad_file: skip",
    })
    run = start_paused_before_commit(workspace, pipeline, point="inputs-hashed")
    shutil.move(path, workspace.root / "archived.csv")
    out, err = resume(workspace, run)
    assert run.returncode == 1, out + err
    assert "etrm_trades.csv: no such file (it was removed after this run listed it)" in out, out + err
    assert workspace.table().scan().to_arrow().num_rows == 300  # other.csv


def test_reread_gives_records_quarantined_before_another_chance_after_a_fix(workspace):
    # A Latin-1 export read as UTF-8: the record with a non-ASCII byte is quarantined, whose
    # message says to set encoding: latin-1. With that done, the file is still ingested (its
    # hash is recorded); --reread reads it again: the 299 trades stored before are replays and
    # the one quarantined before lands.
    path = workspace.root / "etrm_trades.csv"
    path.write_bytes(path.read_bytes().replace(b",kdubois,", b",kdubo\xebs,", 1))
    first = workspace.run_pipeline()
    assert first.returncode == 0, first.stderr
    assert "read 300 = accepted 299 + quarantined 1" in first.stdout
    assert "set encoding: windows-1252" in workspace.run("show", "trading.quarantine").stdout
    fixed = workspace.write_pipeline("fixed.yaml", {"encoding: utf-8": "encoding: latin-1"})
    skipped = workspace.run_pipeline(fixed)
    assert "skipped: already ingested in snapshot" in skipped.stdout
    again = workspace.run("run", fixed, "--reread", "etrm_trades.csv")
    assert again.returncode == 0, again.stderr
    assert "etrm_trades.csv: read again (--reread); it was ingested in snapshot" in again.stderr
    assert "read 300 = accepted 300 + quarantined 0" in again.stdout
    assert "of the accepted, 299 were versions already stored with the same content" in again.stdout
    traders = workspace.table().scan().to_arrow().column("parties").combine_chunks().field("trader")
    assert "kduboës" in traders.to_pylist()
    assert workspace.table().scan().to_arrow().num_rows == 300
    # Once more: all 300 are replays now; nothing is added.
    assert "replays" in workspace.run("run", fixed, "--reread-all").stdout
    assert workspace.table().scan().to_arrow().num_rows == 300
    typo = workspace.run("run", fixed, "--reread", "ref/books.csv")
    assert typo.returncode == 1
    assert "ref/books.csv: not one of the pipeline's input files" in typo.stderr
    # A copy with the same bytes names the same content: reading it again reads that. (Inputs
    # are read in sorted order: copy.csv is read, etrm_trades.csv is its copy.)
    shutil.copy(path, workspace.root / "copy.csv")
    both = workspace.write_pipeline("both.yaml", {"path: etrm_trades.csv": "paths: [etrm_trades.csv, copy.csv]"},
                                    base="fixed.yaml")
    by_copy = workspace.run("run", both, "--reread", "etrm_trades.csv")
    assert by_copy.returncode == 0, by_copy.stderr
    assert "copy.csv: read again (--reread)" in by_copy.stderr
    assert "read 300 = accepted 300 + quarantined 0" in by_copy.stdout
    missing = workspace.run("run", fixed, "--reread", "nope.csv")
    assert missing.returncode == 2 and "--reread nope.csv: no such file" in missing.stderr
    assert f"(in {workspace.root})" in missing.stderr  # relative to the working directory
    # Without unique_version nothing would tell a version read again from a new one.
    off = workspace.write_pipeline("off.yaml", {"validation:": "validation:\n  builtin: {unique_version: off}"},
                                   base="fixed.yaml")
    refused = workspace.run("run", off, "--reread-all")
    assert refused.returncode == 1
    assert "--reread needs the unique_version rule" in refused.stderr
    assert workspace.table().scan().to_arrow().num_rows == 300


def test_a_stored_version_that_now_fails_a_rule_is_no_duplicate(workspace):
    """Read again after a warning rule became an error, a stored version that fails it is
    quarantined for that rule alone: it has the content stored, so it is no conflicting
    duplicate (unique_version)."""
    warn = workspace.write_pipeline("warn.yaml", {
        'range: {min: "1", max: "5000"}': 'range: {min: "1", max: "20"}\n      severity: warning'})
    first = workspace.run_pipeline(warn)
    assert first.returncode == 0, first.stderr
    strict = workspace.write_pipeline("strict.yaml", {'max: "5000"': 'max: "20"'})
    again = workspace.run("run", strict, "--reread-all")
    assert again.returncode == 0, again.stderr
    assert "quarantined by lots_within_limit:" in again.stdout, again.stdout
    assert "unique_version" not in again.stdout, again.stdout
    rows = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    rules = [{f["rule"] for f in r["failures"]} for r in rows]
    assert {"lots_within_limit"} in rules and not any("unique_version" in r for r in rules), rules


def test_a_changed_repeat_stays_named_for_its_rule_after_an_interrupted_run(workspace):
    # Line 5 re-sends line 2's version under another trader; the run is killed after its
    # quarantine commit. The next run counts line 5 under unique_version, as the first did.
    lines = (workspace.root / "etrm_trades.csv").read_bytes().decode().split("\r\n")
    fields = lines[1].split(",")
    fields[12] = "someone_else"
    lines.insert(5, ",".join(fields))
    (workspace.root / "repeat.csv").write_bytes("\r\n".join(lines).encode())
    pipeline = pipeline_without_orphan_delay(workspace, "repeat.yaml", "repeat.csv")
    run_killed_at(workspace, pipeline, "catalog-swapped:quarantine")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 301 = accepted 300 + quarantined 1" in result.stdout
    assert "quarantined by unique_version: 1" in result.stdout, result.stdout
    assert quarantined(workspace) == 1


def quarantined(ws) -> int:
    return len(ws.catalog().load_table("trading.quarantine").scan().to_arrow())


def test_a_reread_killed_between_its_commits_is_finished_by_the_next_run(workspace):
    # Two bad records: line 2 names a counterparty the reference data lacks, line 3 has a
    # direction no rule maps. The counterparty is then added and the file read again, but that
    # run is killed after its quarantine commit (line 3 stored again), before its trades.
    path = workspace.root / "etrm_trades.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b",CP1007,", b",CP2001,", 1)
    lines[2] = lines[2].replace(b",Sell,", b",Hold,", 1)
    path.write_bytes(b"\r\n".join(lines))
    first = workspace.run_pipeline()
    assert "read 300 = accepted 298 + quarantined 2" in first.stdout, first.stdout
    with open(workspace.root / "ref" / "counterparties.csv", "ab") as f:
        f.write(b"CP2001,Newcomer Trading Ltd,,GB,true\n")
    run_killed_at(workspace, "etrm_pipeline.yaml", "catalog-swapped:quarantine", "--reread-all")
    assert quarantined(workspace) == 3
    # A plain run finishes that reading: line 2 lands, line 3 is not stored a third time.
    after = workspace.run_pipeline()
    assert after.returncode == 0, after.stderr
    assert "finishing a reading of it (--reread) that stored its rejects but not its trades" in after.stderr
    assert "read 300 = accepted 299 + quarantined 1" in after.stdout, after.stdout
    assert "quarantined by known_enum_values: 1" in after.stdout
    assert workspace.table().scan().to_arrow().num_rows == 299
    assert quarantined(workspace) == 3
    # Finished: the next run skips the file again.
    assert "skipped: already ingested" in workspace.run_pipeline().stdout


def interrupted_day2(ws, then_other: bool = False) -> str:
    """day2.csv (write_day2 with its reject on line 4) read by a run killed between its two
    commits: its rejects are stored, its trades not. With `then_other`, other.csv (day2.csv's
    line 2 version) is committed next, so that recovering day2.csv rejects line 2 too, a reject
    not stored yet. Returns day2.csv's pipeline."""
    write_day2(ws, reject=True)
    day2_pipeline = pipeline_over(ws, "day2.csv")
    run_killed_at(ws, day2_pipeline, "catalog-swapped:quarantine")
    if then_other:
        assert ws.run_pipeline(pipeline_over(ws, "other.csv")).returncode == 0
    return day2_pipeline


def test_two_recovery_runs_at_once_store_a_new_reject_once(workspace):
    """A run killed between its two commits left day2.csv's rejects in quarantine; a version of
    day2.csv line 2 was committed from another file since, so recovering day2.csv rejects line 2
    too, a reject not stored yet. Two recoveries at once: the one that commits first stores it;
    the other finds the trade commit done before it commits its quarantine, and stores nothing."""
    day2_pipeline = interrupted_day2(workspace, then_other=True)

    late = start_paused_before_commit(workspace, day2_pipeline)
    first = workspace.run_pipeline(day2_pipeline)
    assert first.returncode == 0, first.stderr
    assert "read 300 = accepted 298 + quarantined 2" in first.stdout
    out, err = resume(workspace, late)
    assert late.returncode != 0, out
    assert "day2.csv was committed to trading.trade_events by another run" in err, err

    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert sorted((r["line"], f["rule"]) for r in rejects for f in r["failures"]) == [
        (2, "unique_version"),
        (4, "known_counterparty"),
    ]
    assert workspace.table().scan().to_arrow().num_rows == 1 + 298


def loses_to_a_run_between_its_commits(ws, loser: str, winner: str) -> str:
    """Starts `loser` and holds it before its commits, then `winner`, held between its
    quarantine and trade commits; lets `loser` go on and checks that it finds day2.csv's rejects
    stored by the other run and commits nothing; then lets `winner` finish. Its stdout."""
    late = start_paused_before_commit(ws, loser)
    early = start_paused_before_commit(ws, winner, "before-trade-commit", "pause1")
    out, err = resume(ws, late)
    assert late.returncode != 0, out
    assert "the rejects of day2.csv were stored in trading.quarantine by another run" in err, err
    out, err = resume(ws, early, "pause1")
    assert early.returncode == 0, err
    return out


def test_two_recovery_runs_committing_their_quarantine_at_once_store_a_new_reject_once(workspace):
    """As above, but the first recovery is held between its two commits: its quarantine snapshot
    (with the new reject) has landed, its trades have not. The second finds those late rejects
    committed since its plan when it comes to commit its quarantine, and stores nothing."""
    day2_pipeline = interrupted_day2(workspace, then_other=True)

    out = loses_to_a_run_between_its_commits(workspace, day2_pipeline, day2_pipeline)
    assert "read 300 = accepted 298 + quarantined 2" in out

    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert sorted((r["line"], f["rule"]) for r in rejects for f in r["failures"]) == [
        (2, "unique_version"),
        (4, "known_counterparty"),
    ]
    assert workspace.table().scan().to_arrow().num_rows == 1 + 298
    assert files_under(workspace, "quarantine") == referenced_files(
        workspace.catalog().load_table("trading.quarantine"))


def strict_day2(ws):
    """A pipeline reading day2.csv whose counterparty list has lost CP1011, and the number of
    day2.csv's trades with CP1011 (which it rejects)."""
    shutil.copytree(ws.root / "ref", ws.root / "ref2")
    counterparties = ws.root / "ref2" / "counterparties.csv"
    kept = [l for l in counterparties.read_text().splitlines(True) if not l.startswith("CP1011,")]
    counterparties.write_text("".join(kept))
    strict = ws.write_pipeline("strict.yaml", {
        "path: etrm_trades.csv": "path: day2.csv",
        "{path: ref/counterparties.csv}": "{path: ref2/counterparties.csv}",
    })
    with open(ws.root / "day2.csv", newline="") as f:
        cp1011 = sum(1 for r in csv.DictReader(f) if r["cpty_id"] == "CP1011")
    assert cp1011 > 0
    return strict, cp1011


def test_records_another_recovery_quarantined_are_not_also_stored_as_trades(workspace):
    """Two recoveries of the same interrupted input judge some records differently (the
    counterparty list lost CP1011 for one of them). The strict one commits its quarantine
    first, with those late rejects; the other has no reject of its own to add, finds them at its
    trade commit and stores nothing. No record ends up both a trade and a reject."""
    day2_pipeline = interrupted_day2(workspace)
    strict_pipeline, cp1011 = strict_day2(workspace)

    loses_to_a_run_between_its_commits(workspace, day2_pipeline, strict_pipeline)

    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    trades = workspace.table().scan().to_arrow().to_pylist()
    assert len(rejects) == 1 + cp1011
    assert len(trades) == 300 - 1 - cp1011
    rejected_ids = {r["source_trade_id"] for r in rejects if r["source_trade_id"]}
    assert not rejected_ids & {t["source_trade_id"] for t in trades}


def lenient_and_strict_day2(ws):
    """day2.csv and two pipelines reading it that judge it differently (strict_day2). The
    tables exist. Returns (lenient, strict, CP1011 trades)."""
    write_day2(ws)
    lenient = ws.write_pipeline("day2.yaml", {"path: etrm_trades.csv": "path: day2.csv"})
    strict, cp1011 = strict_day2(ws)
    assert ws.run_pipeline().returncode == 0
    return lenient, strict, cp1011


def no_record_is_both_a_trade_and_a_reject(ws):
    rejects = ws.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    trades = ws.table().scan().to_arrow().to_pylist()
    assert not {r["source_trade_id"] for r in rejects} & {t["source_trade_id"] for t in trades}
    return rejects, trades


def test_rejects_committed_between_another_runs_check_and_its_swap_are_not_also_trades(workspace):
    """The lenient run checks the quarantine table, finds nothing of day2.csv, and is held just
    before its catalog swap; the strict one then commits its quarantine with the CP1011 trades
    as rejects. The lenient swap must not land on a check that is out of date: it loses, checks
    again, finds the rejects and stores nothing."""
    lenient, strict, cp1011 = lenient_and_strict_day2(workspace)
    late = start_paused_before_commit(workspace, lenient, "before-catalog-swap:trade_events")
    early = start_paused_before_commit(workspace, strict, "before-trade-commit", "pause1")
    out, err = resume(workspace, late)
    assert late.returncode == 75, (out, err)
    assert "the rejects of day2.csv were stored in trading.quarantine by another run" in err, err
    out, err = resume(workspace, early, "pause1")
    assert early.returncode == 0, err
    rejects, trades = no_record_is_both_a_trade_and_a_reject(workspace)
    assert len(rejects) == cp1011
    assert len(trades) == 2 * 300 - cp1011


def test_trades_committed_between_another_runs_check_and_its_swap_are_not_also_rejects(workspace):
    """The reverse: the strict run checks the trade table before its quarantine commit and is
    held just before that swap; the lenient one then stores all of day2.csv as trades. The
    strict quarantine swap loses, checks again, finds day2.csv committed and stores nothing."""
    lenient, strict, _ = lenient_and_strict_day2(workspace)
    late = start_paused_before_commit(workspace, strict, "before-catalog-swap:quarantine")
    result = workspace.run_pipeline(lenient)
    assert result.returncode == 0, result.stderr
    out, err = resume(workspace, late)
    assert late.returncode == 75, (out, err)
    assert "day2.csv was committed to trading.trade_events by another run" in err, err
    rejects, trades = no_record_is_both_a_trade_and_a_reject(workspace)
    assert len(rejects) == 0
    assert len(trades) == 2 * 300


def test_records_an_interrupted_run_quarantined_stay_rejected_after_a_fix(workspace):
    """A run killed between its two commits stored line 4's reject (an unknown counterparty); the
    counterparty is then added to the reference data. The recovery finishes the input as it was
    begun: line 4 stays a reject (so it is not both a trade and a reject), counted as
    quarantined by the interrupted run."""
    day2_pipeline = interrupted_day2(workspace)
    with open(workspace.root / "day2.csv", newline="") as f:
        unknown = list(csv.DictReader(f))[2]["cpty_id"]  # line 4
    assert unknown.startswith("XX10")
    with open(workspace.root / "ref" / "counterparties.csv", "a") as f:
        f.write(f"{unknown},Late Addition Ltd,,GB,true\n")
    result = workspace.run_pipeline(day2_pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 300 = accepted 299 + quarantined 1" in result.stdout
    assert "quarantined by an interrupted run: 1" in result.stdout
    assert len(workspace.catalog().load_table("trading.quarantine").scan().to_arrow()) == 1
    trades = workspace.table().scan().to_arrow().to_pylist()
    assert len(trades) == 299
    assert unknown not in {t["parties"]["counterparty"]["id"] for t in trades}


def test_a_run_killed_before_any_table_existed_leaves_nothing_after_the_next(workspace):
    """Killed at the first commit of all (a reference table's): no table is in the catalog yet,
    but the killed run's files are under their locations. The next run removes them all, for
    the tables it creates and for the reference tables alike."""
    pipeline = pipeline_without_orphan_delay(workspace, "first.yaml", "etrm_trades.csv")
    run_killed_at(workspace, pipeline, "manifest-written")
    assert files_under(workspace, "trade_events"), "the killed run should have left files"
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "orphaned files" in result.stdout
    catalog = workspace.catalog()
    names = [t[1] for t in catalog.list_tables("trading")]
    assert "trade_events" in names and "ref_counterparties" in names
    for name in names:
        table = catalog.load_table(f"trading.{name}")
        assert files_under(workspace, name) == referenced_files(table), name


def test_a_package_leg_rejected_only_when_an_interrupted_input_is_finished_takes_its_package(workspace):
    """A FIXML file with a broken single report and a swap is read by a run killed between its
    two commits: its one reject is stored, its trades not. The recovery runs with a rule that the
    swap's floating leg fails: that leg is a new reject, and the fixed leg goes to quarantine
    with it (package_incomplete) instead of being stored alone."""
    text = (workspace.root / "exchange_trades.fixml").read_text()
    reports = re.findall(r"<TrdCaptRpt .*?</TrdCaptRpt>", text, re.S)
    single = next(r for r in reports if 'MLegRptTyp="1"' in r)
    broken = re.sub(r'LastQty="[^"]*"', 'LastQty="abc"', single, count=1)
    swap = next(r for r in reports if 'MLegRptTyp="3"' in r)
    body = "\n".join([broken, swap])
    (workspace.root / "day.fixml").write_text(f'<?xml version="1.0"?>\n<FIXML><Batch>\n{body}\n</Batch></FIXML>\n')
    pipeline = workspace.write_pipeline("day.yaml", {"path: exchange_trades.fixml": "path: day.fixml"},
                                        base="fixml_pipeline.yaml")
    run_killed_at(workspace, pipeline, "catalog-swapped:quarantine")
    assert quarantined(workspace) == 1
    rule = ("\nvalidation:\n  rules:\n    - id: no_spread\n      field: legs[0].floating.spread\n"
            "      range: {max: \"-1\"}\n")
    (workspace.root / "strict.yaml").write_text((workspace.root / pipeline).read_text() + rule)
    result = workspace.run_pipeline("strict.yaml")
    assert result.returncode == 0, result.stderr
    assert "read 3 = accepted 0 + quarantined 3" in result.stdout, result.stdout
    rows = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    rules = sorted((r["source_location"], f["rule"]) for r in rows for f in r["failures"])
    assert rules == [("TrdCaptRpt 1", "mapping_error"), ("TrdCaptRpt 2 leg 1", "package_incomplete"),
                     ("TrdCaptRpt 2 leg 2", "no_spread")], rules
    assert len(workspace.table().scan().to_arrow()) == 0


def test_a_commit_that_fails_before_the_catalog_swap_removes_the_runs_data_files(workspace):
    # The table's metadata folder cannot be written (here: a file stands in its place; in life
    # a full disk): the commit certainly did not happen, so its data files go at once rather
    # than wait a day for orphan cleanup.
    run = start_paused_before_commit(workspace, "etrm_pipeline.yaml")
    metadata = workspace.root / "lake" / "trading" / "trade_events" / "metadata"
    assert files_under(workspace, "trade_events"), "the run should have written data files"
    shutil.rmtree(metadata, ignore_errors=True)
    metadata.write_text("not a folder")
    out, err = resume(workspace, run)
    assert run.returncode == 1, out + err
    assert "nothing was committed to trading.trade_events" in err, err
    assert "this run's uncommitted data files were removed" in err
    assert files_under(workspace, "trade_events") == {str(metadata)}


def test_an_input_whose_snapshot_was_rolled_back_is_ingested_again(workspace):
    """A rollback (pyiceberg's manage_snapshots().rollback_to_snapshot) takes a snapshot's
    rows out of the table: its inputs are no longer ingested, and the next run reads them."""
    assert workspace.run_pipeline().returncode == 0
    first = workspace.table().current_snapshot().snapshot_id
    rows = [l for l in (workspace.root / "etrm_trades.csv").read_text().splitlines()]
    header, body = rows[0], rows[1:]
    day2 = [header] + [",".join(["9" + r.split(",", 1)[0]] + r.split(",")[1:]) for r in body[:10]]
    (workspace.root / "day2.csv").write_text("\n".join(day2) + "\n")
    pipeline = workspace.write_pipeline("both.yaml", {
        "path: etrm_trades.csv": "paths: [etrm_trades.csv, day2.csv]"})
    assert workspace.run_pipeline(pipeline).returncode == 0
    assert workspace.table().scan().to_arrow().num_rows == 310
    workspace.table().manage_snapshots().rollback_to_snapshot(first).commit()
    assert workspace.table().scan().to_arrow().num_rows == 300

    again = workspace.run_pipeline(pipeline)
    assert again.returncode == 0, again.stderr
    assert "read 10 = accepted 10 + quarantined 0" in again.stdout, again.stdout
    assert again.stdout.count("skipped: already ingested") == 1  # etrm_trades.csv only
    table = workspace.table()
    assert table.scan().to_arrow().num_rows == 310
    assert table.current_snapshot().parent_snapshot_id == first


def test_a_rollback_is_not_taken_for_a_stopped_run(workspace):
    """A run rolled back past committed all the same: its rejects are not those of a run stopped
    between its commits, and a --reread rolled back past is not finished again."""
    assert workspace.run_pipeline().returncode == 0
    first = workspace.table().current_snapshot().snapshot_id
    rows = (workspace.root / "etrm_trades.csv").read_text().splitlines()
    day2 = [rows[0]] + [",".join(["9" + r.split(",", 1)[0]] + r.split(",")[1:]) for r in rows[1:11]]
    day2[2] = day2[2].replace(",CP10", ",XX10", 1)  # an unknown counterparty
    (workspace.root / "day2.csv").write_text("\n".join(day2) + "\n")
    both = workspace.write_pipeline("both.yaml", {
        "path: etrm_trades.csv": "paths: [etrm_trades.csv, day2.csv]"})
    assert workspace.run_pipeline(both).returncode == 0
    workspace.table().manage_snapshots().rollback_to_snapshot(first).commit()

    alone = workspace.run_pipeline()  # day2.csv no longer an input
    assert alone.returncode == 0, alone.stderr
    assert "stopped before committing its trades" not in alone.stderr, alone.stderr
    again = workspace.run_pipeline(both)  # read again; its reject is stored already
    assert again.returncode == 0, again.stderr
    assert "read 10 = accepted 9 + quarantined 1" in again.stdout, again.stdout
    assert len(workspace.catalog().load_table("trading.quarantine").scan().to_arrow()) == 1

    before = workspace.table().current_snapshot().snapshot_id
    assert workspace.run("run", both, "--reread-all").returncode == 0
    workspace.table().manage_snapshots().rollback_to_snapshot(before).commit()
    plain = workspace.run_pipeline(both)
    assert plain.returncode == 0, plain.stderr
    assert "finishing a reading" not in plain.stderr, plain.stderr
    assert plain.stdout.count("skipped: already ingested") == 2, plain.stdout


def test_a_table_renamed_with_pyiceberg_keeps_its_files(workspace):
    # A renamed table keeps its folder, where the next run makes a new table of the old name:
    # the renamed table's files, however old, are not the new table's leftovers.
    assert workspace.run_pipeline().returncode == 0
    catalog = workspace.catalog()
    rows = catalog.load_table("trading.trade_events").scan().to_arrow().num_rows
    catalog.rename_table("trading.trade_events", "trading.trade_events_archive")
    three_days_ago = time.time() - 3 * 86400
    for path in (workspace.root / "lake").rglob("*"):
        if path.is_file():
            os.utime(path, (three_days_ago, three_days_ago))
    result = workspace.run_pipeline()
    assert result.returncode == 0, result.stderr
    assert "orphaned" not in result.stdout + result.stderr
    assert "the metadata of table trading.trade_events_archive" in result.stderr
    archive = workspace.catalog().load_table("trading.trade_events_archive")
    assert archive.scan().to_arrow().num_rows == rows
    assert workspace.table().scan().to_arrow().num_rows == rows  # read again into the new one


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_by_sigterm_or_sigint_commits_nothing_and_removes_its_files(
        workspace, signal_number):
    # A scheduler cancels with SIGTERM (Dagster, systemd, Kubernetes), a user with Ctrl-C: the
    # run stops before its commit, removes the data files it wrote and says so.
    lines = (workspace.root / "etrm_trades.csv").read_bytes().decode().split("\r\n")
    rows = [l for l in lines[1:] if l]
    body = [f"{k:03d}{l}" for k in range(400) for l in rows]
    (workspace.root / "big.csv").write_bytes("\r\n".join([lines[0]] + body).encode())
    pipeline = workspace.write_pipeline("big.yaml", {
        "path: etrm_trades.csv": "path: big.csv",
        "  name: trade_events": "  name: trade_events\n  buffer_mb: 1\n  target_file_mb: 1"})
    run = start_paused_before_commit(workspace, pipeline, point="data-file-written")
    assert files_under(workspace, "trade_events"), "a data file should have been written"
    run.send_signal(signal_number)
    out, err = resume(workspace, run)
    assert run.returncode == 128 + signal_number, (out, err)
    assert f"stopped by {signal.Signals(signal_number).name} before its commit" in err
    assert "nothing was committed" in err
    assert not [p for p in files_under(workspace, "trade_events") if p.endswith(".parquet")]
    assert not workspace.catalog().table_exists("trading.trade_events")

    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert f"read {len(body)} = " in result.stdout


def test_a_damaged_catalog_row_of_another_table_does_not_stop_a_run(workspace):
    import sqlite3

    assert workspace.run_pipeline().returncode == 0
    with sqlite3.connect(workspace.catalog_path) as db:
        db.execute("insert into iceberg_tables (catalog_name, table_namespace, table_name, "
                   "metadata_location) values ('tradeflow', 'other', 'broken', '')")
    write_day2(workspace)
    result = workspace.run_pipeline(pipeline_without_orphan_delay(workspace, "day2.yaml", "day2.csv"))
    assert result.returncode == 0, result.stderr
