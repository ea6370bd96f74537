"""The trade table's layout after a run big enough to keep both worker threads busy and roll
files: rows are partitioned by trade month and asset class, sorted inside every row group, files
are rolled at their target size on disk whatever the buffer, and a run's outcome does not depend
on thread timing."""

import datetime
import os
import re
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROWS = 30000


def generate(tmp_path_factory, tradeflow_bin, rows):
    generator = Path(tradeflow_bin).with_name("tradeflow-generate")
    if not generator.exists():
        pytest.fail(f"{generator} does not exist: build first (scripts/build.sh)")
    path = tmp_path_factory.mktemp("input") / "generated.csv"
    with open(path, "w") as out:
        subprocess.run([str(generator), "--rows", str(rows), "--seed", "11", "--error-rate", "0.02"],
                       stdout=out, check=True)
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory, tradeflow_bin):
    return generate(tmp_path_factory, tradeflow_bin, ROWS)


def run_generated(ws, generated, layout=""):
    # A small buffer makes the run write row groups while it reads; it differs from the target
    # file size, so that the two cannot be mixed up.
    pipeline = ws.write_pipeline("layout.yaml", {
        "path: etrm_trades.csv": f"path: {generated}",
        "  name: trade_events\n": "  name: trade_events\n  target_file_mb: 1\n  buffer_mb: 2\n"
                                  + layout,
    })
    result = ws.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    return result


def data_files(ws):
    return [(Path(task.file.file_path.removeprefix("file://")), task.file)
            for task in ws.table().scan().plan_files()]


def row_groups(path):
    parquet = pq.ParquetFile(path)
    return [parquet.read_row_group(i, columns=["trade_date", "source_trade_id", "source_version",
                                               "product"]).to_pylist()
            for i in range(parquet.num_row_groups)]


def test_rows_are_partitioned_and_sorted_in_every_row_group(workspace, generated):
    run_generated(workspace, generated)
    files = data_files(workspace)
    assert len(files) > 5, "expected several partitions"
    assert any(len(data_file.split_offsets) > 1 for _, data_file in files)
    total = 0
    for path, data_file in files:
        groups = row_groups(path)
        assert len(data_file.split_offsets) == len(groups)
        # A file of several row groups is sorted group by group, and says it is not sorted.
        assert data_file.sort_order_id == (1 if len(groups) == 1 else None)
        rows = [r for group in groups for r in group]
        total += len(rows)
        for group in groups:
            keys = [(r["trade_date"], r["source_trade_id"], r["source_version"]) for r in group]
            assert keys == sorted(keys), f"{path.name} has a row group that is not sorted"
        month, asset_class = data_file.partition[0], data_file.partition[1]
        for r in rows:
            d = r["trade_date"]
            assert (d.year - 1970) * 12 + d.month - 1 == month
            assert r["product"]["asset_class"] == asset_class
        assert f"trade_date_month={datetime.date(1970 + month // 12, month % 12 + 1, 1):%Y-%m}" \
            in str(path)
    snapshot = workspace.table().current_snapshot()
    assert total == int(snapshot.summary["tradeflow.records-accepted"])


def test_files_are_rolled_at_the_target_size_on_disk(workspace, tmp_path_factory, tradeflow_bin):
    """target_file_mb is the size of a data file on disk, as Iceberg's
    write.target-file-size-bytes: a 2 MB buffer's row groups fill files to 1 MB, not files of
    a twelfth of 2 MB."""
    # Enough rows for more full files than the cores' short ones.
    cores = os.cpu_count()
    generated = generate(tmp_path_factory, tradeflow_bin, max(30000, 10000 * (2 * cores + 2)))
    run_generated(workspace, generated, "  partition_by: []\n")
    files = sorted(data_files(workspace), key=lambda f: f[1].file_size_in_bytes)
    mb = 1 << 20
    for path, data_file in files:
        assert data_file.file_size_in_bytes == path.stat().st_size
        assert data_file.file_size_in_bytes <= 1.1 * mb, path.name
    # A partition has a file open per write running at once (one per core), so as many files
    # as cores may close short, at the end of the run.
    full = files[cores:]
    assert len(full) >= 2
    for path, data_file in full:
        assert data_file.file_size_in_bytes >= 0.8 * mb, path.name
        assert len(data_file.split_offsets) > 2, "a file holds several of the buffer's row groups"
        # Filled up row group by row group, never with a sliver of the rows at hand.
        metadata = pq.ParquetFile(path).metadata
        groups = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
        assert min(groups) * 8 >= max(groups) or min(groups) >= 500, (path.name, groups)
    total = sum(pq.ParquetFile(path).metadata.num_rows for path, _ in files)
    assert total == workspace.table().scan().to_arrow().num_rows
    # Recorded under Iceberg's name, for compaction by other engines to aim at the same size.
    assert workspace.table().properties["write.target-file-size-bytes"] == str(mb)
    assert total == int(workspace.table().current_snapshot().summary["tradeflow.records-accepted"])


def test_the_outcome_does_not_depend_on_thread_timing(tmp_path, tradeflow_bin, generated):
    """Records are mapped on a thread pool; two runs of the same input still put the same rows in
    the same partitions and quarantine the same records for the same reasons. (Where exactly a
    file is rolled can move by a row: the rows' byte sizes include their ingestion time.)"""
    from conftest import Workspace

    outcomes = []
    for name in ("first", "second"):
        root = tmp_path / name
        root.mkdir()
        ws = Workspace(root, tradeflow_bin)
        run_generated(ws, generated)
        partitions = {}
        for path, _ in data_files(ws):
            rows = pq.read_table(path, columns=["source_trade_id", "source_version"]).to_pylist()
            key = str(path.parent.relative_to(root))
            partitions.setdefault(key, []).extend(
                (r["source_trade_id"], r["source_version"]) for r in rows)
        files = {key: sorted(rows) for key, rows in partitions.items()}
        quarantined = ws.catalog().load_table("trading.quarantine").scan(
            selected_fields=("line", "failures")).to_arrow().to_pylist()
        outcomes.append((files, sorted((r["line"], str(r["failures"])) for r in quarantined)))
    assert outcomes[0][0] == outcomes[1][0]
    assert outcomes[0][1] == outcomes[1][1]
    assert len(outcomes[0][1]) > 0



def test_a_layout_an_existing_table_does_not_have_is_noted(workspace):
    """An existing table keeps the layout it was created with: a pipeline that asks for another
    partitioning or sort order runs as before, and says so."""
    first = workspace.run_pipeline()
    assert first.returncode == 0 and "note: table" not in first.stderr, first.stderr
    write_day = (workspace.root / "etrm_trades.csv").read_bytes().split(b"\r\n")
    (workspace.root / "more.csv").write_bytes(b"\r\n".join(write_day[:1] + [
        line.replace(b"1000", b"7000", 1) for line in write_day[1:6]]) + b"\r\n")
    pipeline = workspace.write_pipeline("by_day.yaml", {
        "path: etrm_trades.csv": "path: more.csv",
        "  name: trade_events\n": "  name: trade_events\n"
                                  "  partition_by: [{column: trade_date, transform: day}]\n"
                                  "  sort_by: [source_trade_id]\n",
    })
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert re.search(r"note: table trading\.trade_events keeps the partitioning it was created "
                     r"with, month\(trade_date\), identity\(product\.asset_class\); the "
                     r"partitioning asked for \(day\(trade_date\)\) applies to a new table only",
                     result.stderr), result.stderr
    assert "note: table trading.trade_events keeps the sort order it was created with" in (
        result.stderr)
    assert "the sort order asked for (source_trade_id) applies to a new table only" in (
        result.stderr)
    spec = workspace.table().spec()
    assert [f.transform.__class__.__name__ for f in spec.fields] == [
        "MonthTransform", "IdentityTransform"]


def test_a_table_partitioned_by_content_hash_files_each_row_under_its_own_hash(workspace):
    """content_hash is filled after the row's other fields; the partition is computed from it
    all the same, so readers pruning on it find the row."""
    lines = (workspace.root / "etrm_trades.csv").read_bytes().split(b"\r\n")
    (workspace.root / "twenty.csv").write_bytes(b"\r\n".join(lines[:21]) + b"\r\n")
    pipeline = workspace.write_pipeline("by_hash.yaml", {
        "path: etrm_trades.csv": "path: twenty.csv",
        "  name: trade_events\n": "  name: trade_events\n  partition_by: [content_hash]\n",
    })
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    files = data_files(workspace)
    assert len(files) == 20
    for path, data_file in files:
        hashes = pq.read_table(path, columns=["content_hash"]).column(0).to_pylist()
        assert hashes == [data_file.partition[0]]
    from pyiceberg.expressions import EqualTo
    table = workspace.table()
    one = table.scan(limit=1).to_arrow().to_pylist()[0]
    found = table.scan(row_filter=EqualTo("content_hash", one["content_hash"])).to_arrow().to_pylist()
    assert [r["source_trade_id"] for r in found] == [one["source_trade_id"]]


def test_a_sort_by_a_nested_column_descending_puts_nulls_last_as_the_sort_order_says(workspace):
    pipeline = workspace.write_pipeline("sorted.yaml", {
        "  name: trade_events\n": "  name: trade_events\n  partition_by: []\n"
                                  "  sort_by: [parties.broker.name desc, source_trade_id]\n",
    })
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    order = workspace.table().sort_order()
    assert [(f.direction.name, f.null_order.name) for f in order.fields] == [
        ("DESC", "NULLS_LAST"), ("ASC", "NULLS_FIRST")]
    [(path, data_file)] = data_files(workspace)
    assert data_file.sort_order_id == order.order_id
    rows = pq.read_table(path, columns=["parties", "source_trade_id"]).to_pylist()
    keys = [((r["parties"]["broker"] or {}).get("name"), r["source_trade_id"]) for r in rows]
    present = [k for k in keys if k[0] is not None]
    assert present and len(present) < len(keys)
    assert keys[:len(present)] == present, "brokers first, the trades without one last"
    assert [k[0] for k in present] == sorted((k[0] for k in present), reverse=True)
    for broker in {k[0] for k in keys}:
        ids = [k[1] for k in keys if k[0] == broker]
        assert ids == sorted(ids)


def test_a_sort_order_another_tool_set_is_followed_null_order_too(workspace):
    # The table's sort order replaced with pyiceberg: broker name descending with nulls first,
    # which is not the default for a descending column. tradeflow's next files follow it.
    from pyiceberg.table.sorting import NullOrder
    from pyiceberg.transforms import IdentityTransform
    lines = (workspace.root / "etrm_trades.csv").read_bytes().split(b"\r\n")
    (workspace.root / "first.csv").write_bytes(b"\r\n".join(lines[:2]) + b"\r\n")
    (workspace.root / "rest.csv").write_bytes(b"\r\n".join(lines[:1] + lines[2:]))
    first = workspace.write_pipeline("first.yaml", {"path: etrm_trades.csv": "path: first.csv",
                                                    "  name: trade_events\n": "  name: trade_events\n  partition_by: []\n"})
    assert workspace.run_pipeline(first).returncode == 0
    table = workspace.table()
    with table.update_sort_order() as update:
        update.desc("parties.broker.name", IdentityTransform(), NullOrder.NULLS_FIRST)
    rest = workspace.write_pipeline("rest.yaml", {"path: first.csv": "path: rest.csv"}, base="first.yaml")
    result = workspace.run_pipeline(rest)
    assert result.returncode == 0, result.stderr
    table = workspace.table()
    added = [f for f in data_files(workspace) if f[1].sort_order_id == table.sort_order().order_id]
    assert len(added) == 1
    rows = pq.read_table(added[0][0], columns=["parties"]).to_pylist()
    brokers = [(r["parties"]["broker"] or {}).get("name") for r in rows]
    nulls = brokers.count(None)
    assert 0 < nulls < len(brokers)
    assert brokers[:nulls] == [None] * nulls, "nulls first, as the sort order says"
    assert brokers[nulls:] == sorted(brokers[nulls:], reverse=True)
