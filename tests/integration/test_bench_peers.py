"""The benchmark's peers (bench/peers/) do the same work as tradeflow: on a generated input, the
rows they accept, written in trade_events' own layout, equal tradeflow's rows leaf for leaf,
except the per-period quantity totals and the content hashes (which the peers do not compute)
and the run's own provenance. Otherwise the benchmark would compare unequal work."""

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "peers"))
import canonical  # noqa: E402
import run as bench_run  # noqa: E402

NOT_COMPARED = {"legs[].quantity.total", "provenance.ingested_time", "provenance.run_id",
                "content_hash"}


@pytest.fixture(scope="module")
def tradeflow_rows(tmp_path_factory, tradeflow_bin):
    """A generated input, tradeflow's accepted rows for it, and trade_events' schema file."""
    work = tmp_path_factory.mktemp("bench")
    csv_path = work / "trades.csv"
    generator = Path(tradeflow_bin).with_name("tradeflow-generate")
    subprocess.run([str(generator), "--rows", "3000", "--seed", "7", "--error-rate", "0.02",
                    "-o", str(csv_path)], check=True, capture_output=True)
    pipeline = bench_run.tradeflow_pipeline(str(BENCH / "pipelines" / "bench_csv.yaml"),
                                            str(csv_path), str(work))
    result = subprocess.run([str(tradeflow_bin), "run", pipeline], cwd=work, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    files = sorted((work / "warehouse" / "trading" / "trade_events" / "data").rglob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files])
    schema = table.schema.remove_metadata()
    schema_path = work / "trade_events.arrows"
    schema_path.write_bytes(schema.serialize().to_pybytes())
    return csv_path, schema_path, schema, table


def flatten(value, path, out):
    """Leaf path (list elements by index) -> value."""
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        out[path + "#len"] = len(value)
        for i, item in enumerate(value):
            flatten(item, f"{path}[{i}]", out)
    else:
        out[path] = value


def rows_by_version(table):
    return {(r["source_trade_id"], r["source_version"]): r for r in table.to_pylist()}


@pytest.mark.parametrize("peer", ["duckdb", "pandas"])
def test_peer_writes_the_rows_tradeflow_writes(peer, tradeflow_rows, tmp_path):
    if peer == "pandas":  # bench/requirements.txt, not the project's test environment
        pytest.importorskip("pandas", reason="the pandas peer needs bench/requirements.txt")
    csv_path, schema_path, schema, expected = tradeflow_rows
    result = subprocess.run([sys.executable, str(BENCH / "peers" / f"{peer}_peer.py"),
                             str(csv_path), str(tmp_path), "--schema", str(schema_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    written = pq.read_table(tmp_path / "trade_events.parquet")
    assert canonical.leaf_types(written.schema) == canonical.leaf_types(schema)

    ours, theirs = rows_by_version(expected), rows_by_version(written)
    assert ours.keys() == theirs.keys()
    differences = {}
    for key in ours:
        a, b = {}, {}
        flatten(ours[key], "", a)
        flatten(theirs[key], "", b)
        for path in a.keys() | b.keys():
            generic = ".".join(p.split("[")[0] + ("[]" if "[" in p else "")
                               for p in path.split("."))
            if generic not in NOT_COMPARED and a.get(path) != b.get(path):
                differences.setdefault(path, (key, a.get(path), b.get(path)))
    assert differences == {}
