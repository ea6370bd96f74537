"""The example ETRM export goes in; independent readers (pyiceberg, pyarrow, duckdb, fastavro)
read the Iceberg table back and see exactly the input trades."""

import csv
import json
import re
import subprocess
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import fastavro
import pyarrow.parquet as pq

from conftest import EXAMPLES

ACTION = {"NEW": "NEW", "AMENDED": "CORRECT", "CANCELLED": "CANCEL"}
INSTRUMENT = {
    "Future": "FUTURE",
    "Option": "FUTURE_OPTION",
    "Swap": "SWAP",
    "PhysForward": "PHYSICAL_FORWARD",
}


def input_rows():
    with open(EXAMPLES / "etrm_trades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def local(uri: str) -> Path:
    return Path(urlparse(uri).path)


def dec(text: str):
    return Decimal(text) if text else None


def day(text: str):
    return date.fromisoformat(text) if text else None


def test_pyiceberg_returns_exactly_the_input_trades(loaded):
    table = loaded.table()
    rows = table.scan().to_arrow().to_pylist()
    expected = input_rows()
    assert len(rows) == len(expected) == 300
    by_record = {r["source_record_id"]: r for r in rows}
    assert len(by_record) == 300

    for src in expected:
        got = by_record[src["tran_num"]]
        where = f"tran_num {src['tran_num']}"
        assert got["trade_uid"] == "ENDUR:" + src["deal_num"], where
        assert got["source_system"] == "ENDUR"
        assert got["source_trade_id"] == src["deal_num"]
        assert got["source_version"] == int(src["version"])
        assert got["action"] == ACTION[src["tran_status"]]
        assert got["action_raw"] == src["tran_status"]
        assert got["trade_status"] == ("CLOSED" if src["tran_status"] == "CANCELLED" else "LIVE")
        assert got["trade_date"] == day(src["trade_date"])
        # Timestamps: the exact instant in UTC, with the source's offset kept beside it.
        exec_time = datetime.fromisoformat(src["exec_time"])
        assert got["execution_time"] == exec_time.astimezone(timezone.utc), where
        assert got["execution_utc_offset"] == src["exec_time"][-6:]
        assert got["direction"] == src["buy_sell"].upper()

        parties = got["parties"]
        assert parties["book"] == src["book"]
        assert parties["trader"] == src["trader"]
        assert parties["counterparty"] == {
            "id": src["cpty_id"],
            "name": src["cpty_name"],
            "lei": src["cpty_lei"],
        }
        assert parties["internal_legal_entity"]["lei"] == src["internal_lei"]

        product = got["product"]
        assert product["instrument_type"] == INSTRUMENT[src["toolset"]]
        assert product["commodity"] == src["commodity"]
        assert product["asset_class"] == src["asset_class"].upper()
        assert product["contract_month"] == src["contract_month"]
        assert product["exchange"] == (src["exchange"] or None)

        leg = got["legs"][0]
        qty = leg["quantity"]
        # Decimals are exact: compare Decimal to Decimal, never floats.
        assert qty["value"] == dec(src["quantity"]), where
        assert qty["unit"] == src["quantity_unit"]
        assert qty["lots"] == dec(src["lots"])
        assert qty["contract_size"] == dec(src["contract_size"])

        toolset = src["toolset"]
        if toolset in ("Future", "Swap"):
            assert leg["fixed"]["price"]["value"] == dec(src["price"]), where
            assert leg["fixed"]["price"]["currency"] == src["price_currency"]
            assert leg["physical"] is None and leg["option"] is None
        if toolset == "PhysForward":
            phys = leg["physical"]
            assert phys["price"]["value"] == dec(src["price"])
            assert phys["delivery"]["start_date"] == day(src["delivery_start"])
            assert phys["delivery"]["end_date"] == day(src["delivery_end"])
            assert phys["delivery"]["location"]["code"] == src["delivery_location"]
            assert phys["delivery"]["incoterm_raw"] == (src["incoterm"] or None)
            assert leg["fixed"] is None
        if toolset == "Option":
            option = leg["option"]
            assert option["put_call"] == src["put_call"].upper()
            assert option["strike"]["value"] == dec(src["strike"])
            assert option["premium"]["value"] == dec(src["premium"])
            assert option["expiry_date"] == day(src["expiry_date"])
        if toolset == "Swap":
            floating = got["legs"][1]["floating"]
            assert floating["index_id"] == src["float_index"]
            assert floating["spread"] == dec(src["float_spread"])
            assert got["legs"][1]["direction"] != leg["direction"]
        else:
            assert len(got["legs"]) == 1

        if src["broker_fee"]:
            assert got["fees"][0]["amount"] == dec(src["broker_fee"])
        assert (got["regulatory_ids"] or {}).get("uti") == (src["uti"] or None)

        # Unmapped columns are kept, never dropped.
        attrs = dict(got["source_attributes"] or [])
        assert attrs.get("comment") == (src["comment"] or None)

        prov = got["provenance"]
        assert prov["mapping_version"] == "etrm-export-v1"
        assert prov["raw_payload_uri"].endswith("/etrm_trades.csv")
        assert len(prov["raw_payload_sha256"]) == 64
        assert prov["source_location"].startswith("line ")


def test_snapshot_summary_reconciles_counts(loaded):
    snapshot = loaded.table().current_snapshot()
    summary = snapshot.summary
    assert summary.operation.value == "append"
    assert summary["added-records"] == "300"
    assert summary["total-records"] == "300"
    assert summary["tradeflow.records-read"] == "300"
    assert summary["tradeflow.records-accepted"] == "300"
    assert summary["tradeflow.records-quarantined"] == "0"


def iceberg_ids(schema_json) -> dict:
    """path → field id from an Iceberg schema JSON."""
    out = {}

    def walk(t, prefix):
        if not isinstance(t, dict):
            return
        if t["type"] == "struct":
            for f in t["fields"]:
                p = f"{prefix}.{f['name']}" if prefix else f["name"]
                out[p] = f["id"]
                walk(f["type"], p)
        elif t["type"] == "list":
            out[prefix + ".element"] = t["element-id"]
            walk(t["element"], prefix + ".element")
        elif t["type"] == "map":
            out[prefix + ".key"] = t["key-id"]
            out[prefix + ".value"] = t["value-id"]
            walk(t["value"], prefix + ".value")

    walk(schema_json, "")
    return out


def arrow_ids(schema) -> dict:
    import pyarrow as pa

    out = {}

    def walk(field, path):
        md = field.metadata or {}
        assert b"PARQUET:field_id" in md, f"{path} has no field id"
        out[path] = int(md[b"PARQUET:field_id"])
        t = field.type
        if pa.types.is_struct(t):
            for i in range(t.num_fields):
                walk(t.field(i), f"{path}.{t.field(i).name}")
        elif pa.types.is_map(t):
            walk(t.key_field, path + ".key")
            walk(t.item_field, path + ".value")
        elif pa.types.is_list(t):
            walk(t.value_field, path + ".element")

    for f in schema:
        walk(f, f.name)
    return out


def current_metadata(ws) -> dict:
    location = ws.table().metadata_location
    return json.loads(local(location).read_text())


def test_parquet_files_carry_the_iceberg_field_ids(loaded):
    metadata = current_metadata(loaded)
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    expected_ids = iceberg_ids(schema)
    tasks = list(loaded.table().scan().plan_files())
    assert tasks
    quantity_total = Decimal(0)
    for task in tasks:
        path = local(task.file.file_path)
        assert task.file.file_size_in_bytes == path.stat().st_size
        parquet = pq.ParquetFile(path)
        assert parquet.metadata.num_rows == task.file.record_count
        assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
        # The Parquet spec's form, which parquet-mr parses: without it, Spark and Java Iceberg
        # readers ignore the statistics of string columns (PARQUET-251).
        assert re.fullmatch(r"tradeflow version \d+\.\d+\.\d+", parquet.metadata.created_by)
        assert arrow_ids(parquet.schema_arrow) == expected_ids

        # DuckDB reads the same file and sees the ids too.
        con = duckdb.connect()
        count = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
        assert count == task.file.record_count
        # Every Iceberg column id is on the file's schema (structural groups such as the root,
        # "list" and "key_value" carry none, as the Parquet spec for nested types has it).
        ids = con.execute(
            f"SELECT field_id FROM parquet_schema('{path}') WHERE field_id IS NOT NULL"
        ).fetchall()
        assert sorted(i for (i,) in ids) == sorted(expected_ids.values())
        total = con.execute(
            f"SELECT sum(l.quantity.value) FROM read_parquet('{path}'), "
            f"unnest(legs) AS t(l)"
        ).fetchone()[0]
        quantity_total += Decimal(total)
    # Only leg 1 carries a quantity; the sum is exact because it never went through a float.
    assert quantity_total == sum(Decimal(r["quantity"]) for r in input_rows())


def avro_schema_has_ids(schema, path="") -> list:
    """Returns the paths in an Avro schema whose fields lack an Iceberg id."""
    missing = []
    if isinstance(schema, list):
        for branch in schema:
            missing += avro_schema_has_ids(branch, path)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind == "record":
            for f in schema["fields"]:
                if "field-id" not in f:
                    missing.append(f"{path}.{f['name']}")
                missing += avro_schema_has_ids(f["type"], f"{path}.{f['name']}")
        elif kind == "array":
            if schema.get("logicalType") == "map":
                missing += avro_schema_has_ids(schema["items"], path)
            else:
                if "element-id" not in schema:
                    missing.append(path + "[]")
                missing += avro_schema_has_ids(schema["items"], path + "[]")
    return missing


def read_avro(path: Path):
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        meta = {k: v.decode() if isinstance(v, bytes) else v for k, v in reader.metadata.items()}
        return meta, json.loads(meta["avro.schema"]), list(reader)


def test_manifests_are_valid_avro_with_field_ids(loaded):
    metadata = current_metadata(loaded)
    snapshot = next(
        s for s in metadata["snapshots"] if s["snapshot-id"] == metadata["current-snapshot-id"]
    )
    meta, schema, manifests = read_avro(local(snapshot["manifest-list"]))
    assert meta["format-version"] == "2"
    assert meta["snapshot-id"] == str(snapshot["snapshot-id"])
    assert meta["sequence-number"] == str(snapshot["sequence-number"])
    assert avro_schema_has_ids(schema) == []
    assert manifests
    for m in manifests:
        manifest_path = local(m["manifest_path"])
        assert m["manifest_length"] == manifest_path.stat().st_size
        assert m["added_snapshot_id"] == snapshot["snapshot-id"]
        mmeta, mschema, entries = read_avro(manifest_path)
        for key in ("schema", "schema-id", "partition-spec", "partition-spec-id", "format-version"):
            assert key in mmeta, key
        assert mmeta["format-version"] == "2"
        assert mmeta["content"] == "data"
        assert json.loads(mmeta["schema"])["fields"]
        spec = json.loads(mmeta["partition-spec"])
        assert [f["name"] for f in spec] == ["trade_date_month", "asset_class"]
        assert [f["transform"] for f in spec] == ["month", "identity"]
        assert avro_schema_has_ids(mschema) == []
        assert sum(e["data_file"]["record_count"] for e in entries) == m["added_rows_count"]
        for e in entries:
            assert e["status"] == 1
            data_file = e["data_file"]
            assert data_file["file_format"] == "PARQUET"
            assert local(data_file["file_path"]).stat().st_size == data_file["file_size_in_bytes"]
            partition = data_file["partition"]
            month = partition["trade_date_month"]
            folder = f"trade_date_month={1970 + month // 12:04d}-{month % 12 + 1:02d}"
            assert folder in data_file["file_path"]
            assert f"asset_class={partition['asset_class']}" in data_file["file_path"]


def test_cli_lists_tables_schema_snapshots_and_rows(loaded):
    tables = loaded.run("tables")
    assert tables.returncode == 0, tables.stderr
    listed = tables.stdout.split()
    assert "trading.trade_events" in listed
    assert "trading.ref_counterparties" in listed
    schema = loaded.run("schema", "trading.trade_events")
    assert "1  trade_uid: string" in schema.stdout
    assert "decimal(38, 6)" in schema.stdout
    snaps = loaded.run("snapshots")
    assert snaps.returncode == 0 and "+300 rows" in snaps.stdout
    assert "pipeline etrm-daily  run " in snaps.stdout  # several pipelines may share a table
    show = loaded.run("show", "--limit", "2", "--columns", "trade_uid,source_version")
    assert show.returncode == 0, show.stderr
    assert show.stdout.count("-- row") == 2
    assert 'trade_uid: "ENDUR:' in show.stdout
    for cmd in ("run", "tables", "schema", "snapshots", "show"):
        helped = loaded.run(cmd, "--help")
        assert helped.returncode == 0 and "Usage" in helped.stdout + helped.stderr


def test_cli_errors_say_what_to_do(loaded, tmp_path):
    missing = loaded.run("tables", "--catalog", str(tmp_path / "nowhere.db"))
    assert missing.returncode == 1
    assert "nowhere.db: is the path right?" in missing.stderr, missing.stderr
    assert "or pass --catalog" not in missing.stderr  # it was passed
    (tmp_path / "notes.db").write_text("not a database\n")
    garbage = loaded.run("tables", "--catalog", str(tmp_path / "notes.db"))
    assert garbage.returncode == 1
    assert "notes.db: is not an SQLite database, so not a catalog" in garbage.stderr
    unknown = loaded.run("show", "trading.trade_event")
    assert unknown.returncode == 1
    assert ("table trading.trade_event does not exist; the tables: trading.ref_books, "
            "trading.ref_contracts") in unknown.stderr, unknown.stderr
    assert "the quarantine table with its first rejected record" in unknown.stderr
    old = loaded.run("show", "--snapshot", "123")
    assert old.returncode == 1
    assert ("has no snapshot 123 (tradeflow snapshots trading.trade_events lists them)"
            in old.stderr), old.stderr



def test_a_table_written_by_pyiceberg_without_content_hashes(workspace):
    """Another writer's table, from before tradeflow kept content hashes: pyiceberg rewrites the
    example's trades without the content_hash column (and with strings as large_string, as
    pyiceberg writes them). tradeflow reads its versions, finds a re-sent export's versions
    there without hashes (conflicts, saying why), adds the column on its next commit and stores
    new trades with hashes, which pyiceberg reads beside the old rows' nulls."""
    import shutil
    from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC
    from pyiceberg.schema import Schema

    assert workspace.run_pipeline().returncode == 0
    catalog = workspace.catalog()
    rows = catalog.load_table("trading.trade_events").scan().to_arrow()
    old = Schema(*[f for f in catalog.load_table("trading.trade_events").schema().fields
                   if f.name != "content_hash"])
    catalog.drop_table("trading.trade_events")
    shutil.rmtree(workspace.root / "lake" / "trading" / "trade_events")
    table = catalog.create_table("trading.trade_events", schema=old,
                                 partition_spec=UNPARTITIONED_PARTITION_SPEC)
    table.append(rows.drop(["content_hash"]).cast(table.schema().as_arrow()))

    text = (workspace.root / "etrm_trades.csv").read_bytes()
    (workspace.root / "again.csv").write_bytes(text + b"\r\n")
    again = workspace.run_pipeline(
        workspace.write_pipeline("again.yaml", {"path: etrm_trades.csv": "path: again.csv"}))
    assert again.returncode == 0, again.stderr
    assert "read 300 = accepted 0 + quarantined 300" in again.stdout
    rejects = catalog.load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert all("stored without a content hash, so a replay cannot be told from a change"
               in r["failures"][0]["message"] for r in rejects)

    lines = text.decode().split("\r\n")
    (workspace.root / "new.csv").write_bytes(
        "\r\n".join([lines[0]] + ["9" + l for l in lines[1:] if l]).encode())
    new = workspace.run_pipeline(
        workspace.write_pipeline("new.yaml", {"path: etrm_trades.csv": "path: new.csv"}))
    assert new.returncode == 0, new.stderr
    table = catalog.load_table("trading.trade_events")
    assert table.schema().find_field("content_hash").field_type.__class__.__name__ == "LongType"
    hashes = table.scan().to_arrow().column("content_hash")
    assert len(hashes) == 600 and hashes.null_count == 300
    # tradeflow's own reader takes the mixed files too (other string types, a column missing).
    shown = subprocess.run([str(workspace.binary), "show", "trading.trade_events", "-n", "600",
                            "--columns", "trade_uid,content_hash"],
                           cwd=workspace.root, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "-- row 600" in shown.stdout


def test_a_long_string_upper_bound_is_truncated_and_incremented(loaded):
    """deal_tracking_num (17 characters) is bounded above by deal_tracking_nv, as Java Iceberg
    truncates: so a filter past it prunes every file."""
    from pyiceberg.expressions import GreaterThan

    table = loaded.table()
    field = table.schema().find_field("source_trade_id_scheme").field_id
    tasks = list(table.scan().plan_files())
    assert tasks
    for task in tasks:
        assert task.file.upper_bounds[field] == b"deal_tracking_nv"
        assert task.file.lower_bounds[field] == b"deal_tracking_nu"
    assert list(table.scan(row_filter=GreaterThan("source_trade_id_scheme", "e")).plan_files()) == []


def test_schema_changes_another_writer_made_are_kept(workspace):
    # pyiceberg adds a column (for a desk's notes) and documents another: a later tradeflow
    # commit keeps both, and its rows leave the added column null.
    from pyiceberg.types import StringType

    assert workspace.run_pipeline().returncode == 0
    table = workspace.table()
    before = table.scan().to_arrow().num_rows
    with table.update_schema() as update:
        update.add_column("desk_note", StringType(), doc="a desk's note")
        update.update_column("source_record_id", doc="ETRM tran_num")
    schema_id = workspace.table().metadata.current_schema_id
    lines = (workspace.root / "etrm_trades.csv").read_text().splitlines(keepends=True)
    (workspace.root / "day2.csv").write_text(lines[0] + "".join("9" + l for l in lines[1:]))
    pipeline = workspace.write_pipeline(
        "two_days.yaml", {"path: etrm_trades.csv": "paths: [etrm_trades.csv, day2.csv]"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    table = workspace.table()
    assert table.metadata.current_schema_id == schema_id
    assert table.schema().find_field("desk_note").doc == "a desk's note"
    assert table.schema().find_field("source_record_id").doc == "ETRM tran_num"
    notes = table.scan(selected_fields=("desk_note",)).to_arrow()["desk_note"]
    assert len(notes) > before and notes.null_count == len(notes)


def test_write_properties_another_tool_set_are_named_where_the_run_does_otherwise(workspace):
    assert workspace.run_pipeline().returncode == 0
    with workspace.table().transaction() as tx:
        tx.set_properties({"write.parquet.compression-codec": "snappy",
                           "write.target-file-size-bytes": "536870912",
                           "write.data.path": "file:///elsewhere"})
    result = workspace.run_pipeline()
    assert result.returncode == 0, result.stderr
    for said in ("write.parquet.compression-codec is snappy; tradeflow writes zstd",
                 "write.target-file-size-bytes is 536870912 (as the table was created, or set "
                 "since by another tool); this run rolls files at 134217728",
                 "write.data.path is file:///elsewhere; tradeflow writes data files under"):
        assert said in result.stderr, result.stderr


def test_a_column_another_writer_renamed_retyped_or_deleted_is_said(workspace):
    from pyiceberg.types import LongType

    assert workspace.run_pipeline().returncode == 0
    lines = (workspace.root / "etrm_trades.csv").read_text().splitlines(keepends=True)
    (workspace.root / "day2.csv").write_text(lines[0] + "".join("9" + l for l in lines[1:]))
    pipeline = workspace.write_pipeline(
        "day2.yaml", {"path: etrm_trades.csv": "path: day2.csv"})

    # Renamed: writing on would split its values in two columns.
    with workspace.table().update_schema() as update:
        update.rename_column("execution_utc_offset", "exec_offset")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert ("column 'execution_utc_offset' (field id " in result.stderr
            and "was renamed to 'exec_offset' by another writer" in result.stderr), result.stderr
    with workspace.table().update_schema() as update:
        update.rename_column("exec_offset", "execution_utc_offset")

    # Retyped (dropped, and added again as a long): files it cannot read are never written.
    with workspace.table().update_schema() as update:
        update.delete_column("execution_utc_offset")
    with workspace.table().update_schema() as update:
        update.add_column("execution_utc_offset", LongType())
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert "column 'execution_utc_offset' is \"long\" in the table's schema" in result.stderr
    assert workspace.table().scan().to_arrow().num_rows == 300  # still readable

    # Deleted: tradeflow's rows have it, so it comes back under a new id, which a note says.
    with workspace.table().update_schema() as update:
        update.delete_column("execution_utc_offset")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "column 'execution_utc_offset' was deleted by another writer" in result.stderr
    assert workspace.table().scan().to_arrow().num_rows == 600
