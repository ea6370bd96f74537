"""A second run appends a second snapshot (both readable by snapshot id); bad input fails with
an error naming file, line and field, and leaves the table exactly as it was."""

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlparse
from urllib.parse import urlparse

import pytest

from conftest import EXAMPLES


def write_day2(ws, rows: int = 100) -> None:
    """A second day's export: new deals, same layout."""
    with open(EXAMPLES / "etrm_trades.csv", newline="") as f:
        reader = csv.DictReader(f)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\r\n")
        writer.writeheader()
        for i, row in enumerate(reader):
            if i == rows:
                break
            row["deal_num"] = "2" + row["deal_num"]
            row["tran_num"] = "6" + row["tran_num"]
            writer.writerow(row)
    (ws.root / "day2.csv").write_bytes(out.getvalue().encode("utf-8"))


def test_second_run_appends_a_second_snapshot_and_both_are_readable(workspace):
    assert workspace.run_pipeline().returncode == 0
    first = workspace.table().current_snapshot().snapshot_id
    write_day2(workspace)
    pipeline = workspace.write_pipeline("day2.yaml", {"path: etrm_trades.csv": "path: day2.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr

    table = workspace.table()
    snapshots = table.metadata.snapshots
    assert len(snapshots) == 2
    second = table.current_snapshot()
    assert second.parent_snapshot_id == first
    assert second.sequence_number == 2
    assert second.summary["total-records"] == "400"
    # Time travel: each snapshot shows exactly what it held.
    assert table.scan(snapshot_id=first).to_arrow().num_rows == 300
    assert table.scan(snapshot_id=second.snapshot_id).to_arrow().num_rows == 400
    ids = table.scan().to_arrow().column("source_trade_id").to_pylist()
    assert sum(1 for i in ids if i.startswith("2")) == 100
    assert len(table.metadata.metadata_log) == 2  # versions 0 and 1 precede the current one


def test_a_changed_mapping_needs_a_version_of_its_own(workspace):
    """provenance.mapping_version is all a record says of its mapping: a mapping changed
    under the same version is refused before anything is read, and recorded per snapshot."""
    assert workspace.run_pipeline().returncode == 0
    table = workspace.table()
    fingerprint = table.current_snapshot().summary["tradeflow.mapping-sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    write_day2(workspace)
    day2 = {"path: etrm_trades.csv": "path: day2.csv"}

    # The same mapping written differently (a comment, flow style) is the same mapping.
    same = workspace.write_pipeline("same.yaml", {
        **day2,
        "    parties.strategy: strategy": "    parties.strategy: {column: strategy}  # as is"})
    result = workspace.run_pipeline(same)
    assert result.returncode == 0, result.stderr
    assert workspace.table().current_snapshot().summary["tradeflow.mapping-sha256"] == fingerprint

    write_day2(workspace, rows=50)
    changed = workspace.write_pipeline("changed.yaml", {
        **day2, "    parties.strategy: strategy": "    parties.strategy: {constant: HEDGE}"})
    before = workspace.table().metadata_location
    result = workspace.run_pipeline(changed)
    assert result.returncode == 1
    assert "mapping.version etrm-export-v1: the mapping is not the one run " in result.stderr
    assert "give the changed mapping a version of its own" in result.stderr
    assert workspace.table().metadata_location == before

    bumped = workspace.write_pipeline("bumped.yaml", {
        **day2, "    parties.strategy: strategy": "    parties.strategy: {constant: HEDGE}",
        "version: etrm-export-v1": "version: etrm-export-v2"})
    result = workspace.run_pipeline(bumped)
    assert result.returncode == 0, result.stderr
    summary = workspace.table().current_snapshot().summary
    assert summary["tradeflow.mapping-version"] == "etrm-export-v2"
    assert summary["tradeflow.mapping-sha256"] != fingerprint


FAIL_FAST = {"on_bad_record: quarantine": "on_bad_record: fail"}


def table_state(ws):
    """What a reader would see: the catalog pointer and the files under the table."""
    if not ws.catalog_path.exists():
        return None
    table = ws.table()
    files = sorted(str(p) for p in (ws.root / "lake").rglob("*") if p.is_file())
    return table.metadata_location, len(table.metadata.snapshots), files


@pytest.fixture
def committed(workspace):
    """A table holding another day's trades, so that the broken copies of the example export
    below are new trades, not duplicates."""
    write_day2(workspace)
    pipeline = workspace.write_pipeline("day2.yaml", {"path: etrm_trades.csv": "path: day2.csv"})
    assert workspace.run_pipeline(pipeline).returncode == 0
    return workspace


def fails_cleanly(ws, pipeline: str, *expected: str) -> str:
    before = table_state(ws)
    result = ws.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    errors = [l for l in result.stderr.splitlines() if l.startswith("tradeflow: error:")]
    assert len(errors) == 1, "one clear line: " + result.stderr
    message = errors[0]
    for text in expected:
        assert text in message, message
    assert table_state(ws) == before, "the table must be exactly as it was"
    return message


def test_missing_input_file(committed):
    pipeline = committed.write_pipeline(
        "p.yaml", {"path: etrm_trades.csv": "path: nowhere.csv", **FAIL_FAST}
    )
    fails_cleanly(committed, pipeline, "nowhere.csv: no such file")


def read_lines(path: Path) -> list:
    return path.read_bytes().decode("utf-8").split("\r\n")


def write_lines(path: Path, lines: list) -> None:
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def corrupt(ws, name: str, line: int, column: str, value: str) -> str:
    lines = read_lines(ws.root / "etrm_trades.csv")
    header = lines[0].split(",")
    reader = csv.reader([lines[line - 1]])
    fields = next(reader)
    fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[line - 1] = out.getvalue()
    write_lines(ws.root / name, lines)
    return ws.write_pipeline(name + ".yaml", {"path: etrm_trades.csv": f"path: {name}", **FAIL_FAST})


def test_broken_quote(committed):
    lines = read_lines(committed.root / "etrm_trades.csv")
    lines[41] = lines[41].replace("TFC TRADING", 'TFC "TRADING')
    write_lines(committed.root / "broken.csv", lines)
    pipeline = committed.write_pipeline(
        "b.yaml", {"path: etrm_trades.csv": "path: broken.csv", **FAIL_FAST}
    )
    fails_cleanly(committed, pipeline, "broken.csv:42:", "quote character inside unquoted field 9")


def test_unparsable_date(committed):
    pipeline = corrupt(committed, "baddate.csv", 17, "trade_date", "2026-02-30")
    fails_cleanly(
        committed,
        pipeline,
        "baddate.csv:17:",
        "trade_date (column trade_date)",
        "'2026-02-30' is not a valid calendar date",
    )


def test_unknown_column_in_mapping(committed):
    pipeline = committed.write_pipeline(
        "unknown.yaml", {"parties.trader: trader": "parties.trader: trader_name",
                         "version: etrm-export-v1": "version: etrm-export-v2"}
    )
    fails_cleanly(committed, pipeline, "unknown.yaml:", "unknown column 'trader_name'")
    line = int(fails_cleanly(committed, pipeline).split("unknown.yaml:")[1].split(":")[0])
    text = (committed.root / pipeline).read_text().splitlines()
    assert "trader_name" in text[line - 1]


def test_unknown_canonical_field_in_mapping(committed):
    pipeline = committed.write_pipeline("typo.yaml", {"parties.book: book": "parties.bok: book"})
    fails_cleanly(committed, pipeline, "typo.yaml:", "Parties has no field 'bok'")


def test_decimal_that_would_be_rounded(committed):
    pipeline = corrupt(committed, "precise.csv", 9, "quantity", "10.1234567")
    fails_cleanly(committed, pipeline, "precise.csv:9:", "legs[0].quantity.value",
                  "more than the 6 allowed",
                  "The run stopped and committed nothing (on_bad_record: fail); fix the record, "
                  "or set on_bad_record: quarantine")


def test_failure_on_the_first_run_creates_no_table(workspace):
    pipeline = corrupt(workspace, "bad.csv", 5, "exec_time", "yesterday")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert "bad.csv:5: execution_time (column exec_time): cannot parse 'yesterday'" in result.stderr
    assert not (workspace.root / "lake" / "trading").exists()
    if workspace.catalog_path.exists():
        assert workspace.catalog().list_namespaces() == []


REFERENCE_BLOCK = """reference:
  counterparties: {path: ref/counterparties.csv}
  books: {path: ref/books.csv}
  products: {path: ref/products.csv}
  contracts: {path: ref/contracts.csv}
  unit_conversions: {path: ref/units.csv}
  fx_rates: {path: ref/fx.csv}
"""


def test_without_reference_data_totals_are_still_computed(workspace):
    """A pipeline without a reference: section still runs the normalisation steps that need no
    reference data (per-period totals); the others neither convert nor note anything."""
    from decimal import Decimal

    name = workspace.write_pipeline("no_reference.yaml", {
        REFERENCE_BLOCK: "",
        "parties.portfolio: {lookup: {table: books, key: book, field: portfolio}}":
            "parties.portfolio: portfolio",
    })
    result = workspace.run_pipeline(name)
    assert result.returncode == 0, result.stderr
    rows = workspace.table().scan(row_filter="source_trade_id == '100001'").to_arrow().to_pylist()
    assert len(rows) == 1
    quantity = rows[0]["legs"][0]["quantity"]
    # 310 MWh a day, delivered 2026-08-01 to 2026-08-28: 28 days.
    assert quantity["frequency"] == "PER_DAY"
    assert quantity["total"] == Decimal("8680.000000")
    assert quantity["reported_value"] is None, "no unit conversion without reference data"
    assert [w for w in rows[0]["quality_warnings"] if w["rule"] == "normalisation"] == []


def with_limit(ws, name: str, input_file: str, limit: str, extra: dict = None) -> str:
    return ws.write_pipeline(name, {
        "path: etrm_trades.csv": f"path: {input_file}",
        "pipeline: etrm-daily": f"pipeline: etrm-daily\nmax_bad_records: {limit}",
        **(extra or {}),
    })


def over_files(ws, name: str, files: list, limit: str, extra: dict = None,
               skip: bool = True) -> str:
    """A pipeline over `files` with max_bad_records `limit` and, with `skip`, on_bad_file: skip."""
    extra = dict(extra or {})
    if skip:
        extra["on_bad_record: quarantine"] = "on_bad_record: quarantine\non_bad_file: skip"
    pipeline = with_limit(ws, name, files[0], limit, extra)
    text = (ws.root / pipeline).read_text().replace(
        f"path: {files[0]}", "paths: [" + ", ".join(files) + "]")
    (ws.root / pipeline).write_text(text)
    return pipeline


def shifted_header(ws, name: str) -> None:
    """The example export with the header's last name gone: every row has a field too many."""
    lines = read_lines(ws.root / "etrm_trades.csv")
    lines[0] = lines[0].rsplit(",", 1)[0]
    write_lines(ws.root / name, lines)


def test_a_file_past_max_bad_records_fails_the_run_and_commits_nothing(committed):
    """A header that lost a column name makes every row malformed: rather than quarantine the
    whole file record by record (and exit 0), a run with max_bad_records stops, commits
    nothing, and says why: the counts, the rules and the first bad record."""
    shifted_header(committed, "shifted.csv")
    pipeline = with_limit(committed, "shifted.yaml", "shifted.csv", "5%")
    message = fails_cleanly(committed, pipeline,
                            "shifted.csv: 300 of 300 records are bad, more than max_bad_records "
                            "allows (5%); the run stopped and committed nothing",
                            "Bad records by rule: parse_error 300",
                            "The first: parse_error: shifted.csv:2: expected 47 fields, found 48")
    assert "raise max_bad_records" in message
    # Nothing of the file was recorded, so the run takes it again once fixed (here: the limit).
    again = committed.run_pipeline(with_limit(committed, "all.yaml", "shifted.csv", "100%"))
    assert again.returncode == 0, again.stderr
    assert "read 300 = accepted 0 + quarantined 300" in again.stdout


def test_a_table_of_another_kind_of_rows_is_refused(committed):
    """Another pipeline's quarantine named like this one's trade table (or the other way round)
    would make the quarantine's schema the table's: every stored trade would read as nulls."""
    quarantine_into_trades = committed.write_pipeline("q.yaml", {
        "name: trade_events": "name: other_trades",
        "on_bad_record: quarantine": "on_bad_record: quarantine\nquarantine: {name: trade_events}"})
    fails_cleanly(committed, quarantine_into_trades,
                  "table trading.trade_events holds other rows than "
                  "tradeflow.quarantine.v1.QuarantineRecord (most of its columns are not theirs: ",
                  "Name this one otherwise (table.name or quarantine.name)")
    corrupt(committed, "one_bad.csv", 5, "exec_time", "yesterday")
    assert committed.run_pipeline(with_limit(committed, "ok.yaml", "one_bad.csv", "1%")).returncode == 0
    trades_into_quarantine = committed.write_pipeline("t.yaml", {
        "name: trade_events": "name: quarantine",
        "on_bad_record: quarantine": "on_bad_record: quarantine\nquarantine: {name: rejects}"})
    fails_cleanly(committed, trades_into_quarantine,
                  "table trading.quarantine holds other rows than tradeflow.trade.v1.TradeEvent")


def test_a_stray_quote_that_swallows_half_the_file_is_past_max_bad_records(committed):
    """An opening quote never closed until 50 lines later makes one malformed record of 51
    lines: half the file would not be ingested, though it is one bad record of 50. The limit
    counts such a record once per line."""
    lines = read_lines(committed.root / "etrm_trades.csv")
    rows = [l for l in lines[1:] if l and '"' not in l][:100]
    rows[9] = rows[9].rsplit(",", 1)[0] + ',"oops'      # line 11: a quote opens the comment
    rows[59] = rows[59].rsplit(",", 1)[0] + ',q"z'      # line 61: it closes, then stray text
    write_lines(committed.root / "stray.csv", [lines[0]] + rows + [""])
    pipeline = with_limit(committed, "stray.yaml", "stray.csv", "40%")
    fails_cleanly(committed, pipeline,
                  "stray.csv: 51 of 100 records are bad (a record a stray quote ran over "
                  "several lines counts once per line), more than max_bad_records allows (40%)",
                  "The first: parse_error: stray.csv:11: unexpected text after the closing quote")
    # Without a limit the record is quarantined, and the summary says what its count hides.
    quarantined = committed.write_pipeline("stray_q.yaml", {"path: etrm_trades.csv": "path: stray.csv"})
    result = committed.run_pipeline(quarantined)
    assert result.returncode == 0, result.stderr
    assert "read 50 = accepted 49 + quarantined 1" in result.stdout, result.stdout
    assert ("of the quarantined, records with broken quoting ran over 50 more lines (a quote "
            "never closed?), which may hold records of their own: see their raw_record"
            in result.stdout), result.stdout


def test_a_file_within_max_bad_records_is_stored_with_its_rejects(committed):
    corrupt(committed, "one_bad.csv", 5, "exec_time", "yesterday")
    result = committed.run_pipeline(with_limit(committed, "ok.yaml", "one_bad.csv", "1%"))
    assert result.returncode == 0, result.stderr
    assert "read 300 = accepted 299 + quarantined 1" in result.stdout


def test_a_count_of_bad_records_stops_the_run_as_soon_as_it_is_passed(committed):
    corrupt(committed, "one_bad.csv", 5, "exec_time", "yesterday")
    fails_cleanly(committed, with_limit(committed, "none.yaml", "one_bad.csv", "0"),
                  "one_bad.csv: 1 of 4 records read so far are bad, more than max_bad_records "
                  "allows (0)",
                  "The first: mapping_error: one_bad.csv:5: execution_time (column exec_time)")


def test_replayed_versions_are_accepted_and_not_stored_again(committed):
    """A re-sent export is all replays (rule 15: the same versions with the same content):
    accepted, nothing stored twice, nothing quarantined."""
    shutil.copy(committed.root / "day2.csv", committed.root / "resent.csv")
    with open(committed.root / "resent.csv", "ab") as f:
        f.write(b"\r\n")  # other bytes, same records: new input, every version a replay
    before = committed.table().scan().to_arrow().num_rows
    result = committed.run_pipeline(with_limit(committed, "resent.yaml", "resent.csv", "0"))
    assert result.returncode == 0, result.stderr
    assert "read 100 = accepted 100 + quarantined 0" in result.stdout
    assert "of the accepted, 100 were versions already stored with the same content" in (
        result.stdout)
    assert committed.table().scan().to_arrow().num_rows == before


def test_changed_versions_are_not_bad_records(committed):
    """A re-sent export whose every version changed (unique_version: the same version with
    other content) is all quarantined, but it is not a broken file."""
    with open(committed.root / "day2.csv", newline="") as f:
        reader = csv.DictReader(f)
        with open(committed.root / "changed.csv", "w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\r\n")
            writer.writeheader()
            for row in reader:
                writer.writerow({**row, "trader": row["trader"] + "-2"})
    result = committed.run_pipeline(with_limit(committed, "changed.yaml", "changed.csv", "0"))
    assert result.returncode == 0, result.stderr
    assert "read 100 = accepted 0 + quarantined 100" in result.stdout


def test_a_second_file_past_the_limit_leaves_nothing_of_the_first(committed):
    """By default (on_bad_file: fail) the whole run fails. The data files it had written (1 MB files, so trade files were written while the
    first file was read, and quarantine files while the second was) are removed, not left for
    the orphan cleanup."""
    generator = Path(committed.binary).with_name("tradeflow-generate")
    for name, seed in (("a_good.csv", 3), ("b_shifted.csv", 4)):
        subprocess.run([str(generator), "--rows", "20000", "--seed", str(seed), "--error-rate",
                        "0", "-o", str(committed.root / name)], check=True)
    lines = read_lines(committed.root / "b_shifted.csv")
    lines[0] = lines[0].rsplit(",", 1)[0]
    write_lines(committed.root / "b_shifted.csv", lines)
    pipeline = over_files(committed, "two.yaml", ["a_good.csv", "b_shifted.csv"], "5%", {
        "name: trade_events": "name: trade_events\n  target_file_mb: 1\n  buffer_mb: 1",
    }, skip=False)
    fails_cleanly(committed, pipeline, "b_shifted.csv: 20000 of 20000 records are bad")


def data_files_on_disk(ws, table_name: str) -> set:
    return {str(p) for p in (ws.root / "lake" / "trading" / table_name / "data").rglob("*.parquet")}


def data_files_in(table) -> set:
    return {urlparse(task.file.file_path).path for task in table.scan().plan_files()}


def test_with_on_bad_file_skip_a_file_past_the_limit_is_left_out_and_the_rest_lands(committed):
    """As above, with on_bad_file: skip: the bad file is left out, the good one is ingested, and
    the run still fails, naming the file. The next run skips the good file (ingested) and leaves
    the bad one out again. No data file of the bad file's is left behind."""
    generator = Path(committed.binary).with_name("tradeflow-generate")
    subprocess.run([str(generator), "--rows", "20000", "--seed", "3", "--error-rate", "0",
                    "-o", str(committed.root / "a_good.csv")], check=True)
    shifted_header(committed, "b_shifted.csv")
    shutil.copy(committed.root / "b_shifted.csv", committed.root / "c_copy.csv")
    pipeline = over_files(committed, "skip.yaml", ["b_shifted.csv", "a_good.csv", "c_copy.csv"],
                          "5%", {"name: trade_events": "name: trade_events\n  target_file_mb: 1\n  buffer_mb: 1"})
    before = committed.table().scan().to_arrow().num_rows

    result = committed.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    errors = [l for l in result.stderr.splitlines() if l.startswith("tradeflow: error:")]
    assert errors == [
        "tradeflow: error: left out: b_shifted.csv: 300 of 300 records are bad, more than "
        "max_bad_records allows (5%); the file is left out and the run goes on without it "
        "(on_bad_file: skip). Bad records by rule: parse_error 300. The first: parse_error: "
        "b_shifted.csv:2: expected 47 fields, found 48. A file this far off usually has a "
        "changed format or needs another mapping; fix that, or raise max_bad_records to "
        "quarantine its records one by one",
        "tradeflow: error: left out: c_copy.csv: same content as b_shifted.csv, which is left "
        "out"], result.stderr
    assert "b_shifted.csv is left out (on_bad_file: skip)" in result.stderr
    assert "skipped: left out, not ingested: b_shifted.csv: 300 of 300" in result.stdout
    assert "read 20000 = accepted 20000 + quarantined 0" in result.stdout
    table = committed.table()
    assert table.scan().to_arrow().num_rows == before + 20000
    assert data_files_on_disk(committed, "trade_events") == data_files_in(table)
    assert not data_files_on_disk(committed, "quarantine")

    again = committed.run_pipeline(pipeline)
    assert again.returncode == 1, again.stdout
    assert "a_good.csv (sha256" in again.stdout and "skipped: already ingested" in again.stdout
    assert "skipped: left out, not ingested: b_shifted.csv" in again.stdout
    assert committed.table().scan().to_arrow().num_rows == before + 20000


def test_with_on_bad_file_skip_a_file_that_cannot_be_read_is_left_out_too(committed):
    """A truncated .gz loses the rest of its file: with on_bad_file: skip it is left out like a
    file past the limit, and the good file lands."""
    data = (committed.root / "day2.csv").read_bytes()
    (committed.root / "cut.csv.gz").write_bytes(gzip.compress(data)[:-200])
    write_lines(committed.root / "day3.csv", [
        l.replace("2100", "3100", 1) if i else l
        for i, l in enumerate(read_lines(committed.root / "day2.csv"))])
    pipeline = over_files(committed, "cut.yaml", ["cut.csv.gz", "day3.csv"], "5%")
    before = committed.table().scan().to_arrow().num_rows
    result = committed.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    assert "tradeflow: error: left out: cut.csv.gz: truncated gzip data" in result.stderr
    assert "read 100 = accepted 100 + quarantined 0" in result.stdout
    assert committed.table().scan().to_arrow().num_rows == before + 100
    assert data_files_on_disk(committed, "trade_events") == data_files_in(committed.table())


def test_with_on_bad_file_skip_a_file_the_mapping_does_not_fit_still_stops_the_run(committed):
    """A column the mapping reads is missing from a file's header: as likely the mapping's fault
    as the file's, so the run stops rather than leaving files out one by one."""
    lines = read_lines(committed.root / "day2.csv")
    lines[0] = lines[0].replace(",trader,", ",trader_name,")
    write_lines(committed.root / "renamed.csv", lines)
    pipeline = over_files(committed, "renamed.yaml", ["renamed.csv"], "5%")
    message = fails_cleanly(committed, pipeline, "renamed.csv", "trader")
    assert "left out" not in message


def test_a_first_run_whose_only_file_is_left_out_creates_no_table(workspace):
    shifted_header(workspace, "shifted.csv")
    pipeline = over_files(workspace, "only.yaml", ["shifted.csv"], "10")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    assert "tradeflow: error: left out: shifted.csv: 11 of 11 records read so far are bad" in (
        result.stderr)
    assert "no snapshot committed to trading.trade_events: every input was left out" in (
        result.stdout)
    assert "trading.trade_events does not exist yet" in result.stdout
    assert not workspace.catalog().table_exists("trading.trade_events")


def test_the_summary_counts_records_by_rule_not_failures(workspace):
    """Two unknown enum values in one record fail known_enum_values more than once (each
    failure is listed in its quarantine row); the summary counts one record under that rule."""
    lines = read_lines(workspace.root / "etrm_trades.csv")
    header = lines[0].split(",")
    fields = next(csv.reader([lines[3]]))
    fields[header.index("buy_sell")] = "Bought"
    fields[header.index("toolset")] = "Thing"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[3] = out.getvalue()
    write_lines(workspace.root / "two.csv", lines)
    result = workspace.run_pipeline(
        workspace.write_pipeline("two.yaml", {"path: etrm_trades.csv": "path: two.csv"}))
    assert result.returncode == 0, result.stderr
    assert "quarantined by known_enum_values: 1\n" in result.stdout, result.stdout
    rejects = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert [f["rule"] for f in rejects[0]["failures"]].count("known_enum_values") > 1


def test_a_second_catalog_cannot_take_over_the_folders_of_the_first(workspace):
    # Staging is given its own catalog name but the production warehouse: its tables would sit
    # in production's folders, and each run's cleanup would remove the other's files.
    assert workspace.run_pipeline().returncode == 0
    staging = workspace.write_pipeline("staging.yaml", {
        "name: tradeflow": "name: staging",
        "pipeline: etrm-daily": "pipeline: etrm-daily\ncleanup: {orphan_min_age_seconds: 0}",
    })
    result = workspace.run_pipeline(staging)
    assert result.returncode == 1
    assert "cannot create table trading.trade_events" in result.stderr, result.stderr
    assert "Two catalogs must not share a table folder" in result.stderr, result.stderr
    # Production is untouched.
    assert workspace.table().scan().to_arrow().num_rows == 300
    assert workspace.run("show", "trading.trade_events", "-n", "1").returncode == 0



def test_the_command_line_says_what_is_wrong(loaded):
    unknown = loaded.run("rn", "etrm_pipeline.yaml")
    assert unknown.returncode == 2
    assert "unknown command 'rn' (commands: run, tables, schema, snapshots, show" in unknown.stderr
    no_column = loaded.run("show", "trading.trade_events", "--columns", "parties.book")
    assert no_column.returncode == 1
    assert "no top-level column 'parties.book' (a nested field is shown with its top-level column)" in no_column.stderr
    assert loaded.run("show", "-n", "0").returncode == 2
    # The table after --columns is the table, not another column.
    refs = loaded.run("show", "-n", "1", "--columns", "id,lei", "trading.ref_counterparties")
    assert refs.returncode == 0, refs.stderr
    assert "  id: " in refs.stdout and "  name: " not in refs.stdout
    # Decimals in plain digits: a zero spread is 0, not 0E-10.
    legs = loaded.run("show", "-n", "300", "--columns", "legs").stdout
    assert "spread: 0," in legs or "spread: 0}" in legs
    assert not re.search(r"\d+E-\d+", legs)
    # A catalog name with no tables, where the database has others: named.
    other = loaded.run("tables", "--catalog-name", "other")
    assert other.returncode == 1
    assert "catalog 'other' in lake/catalog.db has no tables; the catalog names there: tradeflow" in other.stderr
    # --catalog takes what catalog.uri takes: a path, or SQLAlchemy's sqlite:/// URI.
    for catalog in ("lake/catalog.db", "sqlite:///lake/catalog.db", f"sqlite:///{loaded.root}/lake/catalog.db"):
        listed = loaded.run("tables", "--catalog", catalog)
        assert listed.returncode == 0 and "trading.trade_events" in listed.stdout, (catalog, listed.stderr)
    # A catalog with no tables says so (this one made by pyiceberg, as another writer would).
    from pyiceberg.catalog.sql import SqlCatalog
    SqlCatalog("tradeflow", uri=f"sqlite:///{loaded.root}/empty.db", warehouse=f"file://{loaded.root}/w")
    empty = loaded.run("tables", "--catalog", "empty.db")
    assert empty.returncode == 0 and empty.stdout == "(no tables in catalog 'tradeflow')\n", empty
    s3 = loaded.run("tables", "--catalog", "s3://bucket/catalog.db")
    assert s3.returncode == 1 and "--catalog s3://bucket/catalog.db: 's3://bucket/catalog.db' is a s3:// location" in s3.stderr


def test_output_that_cannot_be_written_fails_the_command_that_prints_it(loaded):
    """show and tables exist for their output: a full disk fails them. A run's work is committed
    by then, so its summary not reaching stdout is a warning."""
    with open("/dev/full", "w") as full:
        for args in (["show", "-n", "1"], ["tables"]):
            result = subprocess.run([str(loaded.binary), *args], cwd=loaded.root, stdout=full,
                                    stderr=subprocess.PIPE, text=True)
            assert result.returncode == 1, args
            assert "cannot write the output to stdout: No space left on device" in result.stderr
        rerun = subprocess.run([str(loaded.binary), "run", "etrm_pipeline.yaml"], cwd=loaded.root,
                               stdout=full, stderr=subprocess.PIPE, text=True)
    assert rerun.returncode == 0
    assert "warning: the run summary could not be written to stdout" in rerun.stderr


def test_a_run_summary_longer_than_the_output_buffer_that_cannot_be_written_warns(workspace):
    """fmt would throw once a short write passes the stdio buffer (about 4 KB): a summary of 40
    files is longer, and the run, committed, still only warns."""
    lines = (EXAMPLES / "etrm_trades.csv").read_text().splitlines()
    (workspace.root / "many").mkdir()
    for i in range(40):
        (workspace.root / "many" / f"day_{i:02d}.csv").write_text(
            "\n".join([lines[0], *lines[1 + 5 * i:6 + 5 * i]]) + "\n")
    pipeline = workspace.write_pipeline("many.yaml", {"path: etrm_trades.csv": 'path: "many/*.csv"'})
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(workspace.binary), "run", pipeline], cwd=workspace.root,
                                stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    assert "warning: the run summary could not be written to stdout" in result.stderr
    assert workspace.table().scan().to_arrow().num_rows > 150


def test_a_reference_table_without_rows_stops_the_run_unless_allowed(workspace):
    """A books file with a header only is most likely a broken export: every trade would fail
    known_book. The run stops before reading any input; with allow_empty it loads, and the run
    says at start what will happen rather than leaving it to the quarantine."""
    header = (workspace.root / "ref" / "books.csv").read_text().splitlines()[0]
    (workspace.root / "ref" / "books.csv").write_text(header + "\n")
    result = workspace.run_pipeline()
    assert result.returncode == 1, result.stderr
    assert re.search(r"ref/books.csv: reference table books has no rows \(a header only\); if that "
                     r"is meant, set allow_empty: true on it \(\S*etrm_pipeline.yaml:34\)",
                     result.stderr), result.stderr
    assert not (workspace.root / "lake" / "trading" / "trade_events").exists()

    pipeline = workspace.write_pipeline(
        "empty_books.yaml",
        {"books: {path: ref/books.csv}": "books: {path: ref/books.csv, allow_empty: true}"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert re.search(r"note: reference table books \(\S*empty_books.yaml:\d+\) has no rows: "
                     r"every trade that names one fails its known_ rule", result.stderr), result.stderr


def test_with_unit_conversion_off_the_canonical_unit_rule_is_skipped_and_said_so(workspace):
    """quantity_in_canonical_unit checks what the units step promises; with the step off it
    would fail every trade reported in another unit, so it is skipped and the run says why."""
    lines = (EXAMPLES / "etrm_trades.csv").read_text().splitlines()
    assert ",310,MWh,Daily," in lines[1]  # 310 MWh a day of TTF, whose canonical unit is MWh
    lines[1] = lines[1].replace(",310,MWh,Daily,", ",310,therm,Daily,")
    (workspace.root / "therms.csv").write_text("\n".join(lines) + "\n")
    pipeline = workspace.write_pipeline(
        "units_off.yaml",
        {"path: etrm_trades.csv": "path: therms.csv",
         "on_bad_record: quarantine": "on_bad_record: quarantine\nnormalise: {units: false}"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert ("validation rule quantity_in_canonical_unit is skipped: normalisation does not "
            "convert units") in result.stderr
    total = len(lines) - 1
    assert f"read {total} = accepted {total} + quarantined 0" in result.stdout, result.stdout


def test_a_reread_of_a_file_that_does_not_exist_is_a_command_line_error(workspace):
    result = workspace.run("run", "etrm_pipeline.yaml", "--reread", "nowhere.csv")
    assert result.returncode == 2
    assert "--reread nowhere.csv: no such file" in result.stderr


def test_show_on_a_table_without_rows_says_so(workspace):
    """A file whose every record is quarantined leaves an empty trade table: a state, not an
    error."""
    header = (EXAMPLES / "etrm_trades.csv").read_text().splitlines()[0]
    (workspace.root / "none.csv").write_text(header + "\n")
    pipeline = workspace.write_pipeline("none.yaml", {"path: etrm_trades.csv": "path: none.csv"})
    assert workspace.run_pipeline(pipeline).returncode == 0
    shown = workspace.run("show", "trading.trade_events")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "(no rows: table trading.trade_events is empty at this snapshot)\n"


def test_a_partition_column_the_table_does_not_have_names_the_pipeline_line(workspace):
    pipeline = workspace.write_pipeline("part.yaml", {
        "  namespace: trading": "  namespace: trading\n  partition_by: [{column: trade_dat, transform: month}]",
    })
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert "part.yaml:13: partition column 'trade_dat' does not exist" in result.stderr, result.stderr


def test_a_missing_reference_file_names_the_pipeline_line(workspace):
    pipeline = workspace.write_pipeline("ref.yaml", {"ref/books.csv": "ref/bookz.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert re.search(r"ref\.yaml:\d+: reference\.books: \S*ref/bookz\.csv: no such file", result.stderr), result.stderr


def test_a_warehouse_that_cannot_be_written_fails_before_reading(workspace):
    (workspace.root / "afile").write_text("not a folder")
    pipeline = workspace.write_pipeline("wh.yaml", {"warehouse: lake": "warehouse: afile/lake"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert "warehouse " in result.stderr and "afile/lake: cannot create it" in result.stderr, result.stderr
    assert "reading file" not in result.stderr


def test_a_warehouse_whose_path_a_file_uri_cannot_hold_fails_before_reading(workspace):
    """Iceberg stores locations as URIs: pyiceberg read "/tmp/a#b/..." as "/tmp/a"."""
    pipeline = workspace.write_pipeline("wh.yaml", {"warehouse: lake": "warehouse: lake#2"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    assert "lake#2 holds '#', which a file URI cannot hold as it is" in result.stderr, result.stderr
    assert "reading file" not in result.stderr
    assert not (workspace.root / "lake#2").exists()


def test_a_catalog_that_cannot_be_written_fails_before_reading(workspace):
    """A read-only catalog.db was found only at the commit, after every input was read, with a
    message that the commit "may or may not have landed". Permissions do not bind root, so as
    root the runs go as user nobody, in a folder nobody may use."""
    root = Path(tempfile.mkdtemp(prefix="tf-readonly-catalog-"))
    try:
        shutil.copytree(EXAMPLES, root, dirs_exist_ok=True)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)
        as_user = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
                   if os.geteuid() == 0 else [])

        def run(pipeline):
            return subprocess.run([*as_user, str(workspace.binary), "run", pipeline], cwd=root,
                                  capture_output=True, text=True, timeout=300)

        assert run("etrm_pipeline.yaml").returncode == 0
        (root / "lake" / "catalog.db").chmod(0o444)
        lines = (root / "etrm_trades.csv").read_text().splitlines()
        (root / "day2.csv").write_text("\n".join([lines[0]] + ["7" + l for l in lines[1:]]) + "\n")
        (root / "day2.yaml").write_text((root / "etrm_pipeline.yaml").read_text().replace(
            "path: etrm_trades.csv", "path: day2.csv"))
        result = run("day2.yaml")
        assert result.returncode == 1, result.stderr
        assert ("catalog.db cannot be written (Permission denied): a run commits to it at its "
                "end; make it writable") in result.stderr, result.stderr
        assert "reading file" not in result.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_file_name_that_is_not_utf8_is_ingested_under_a_percent_encoded_uri(workspace):
    """A Latin-1 file name is bytes JSON and Parquet strings cannot hold: the records' URIs
    percent-encode it (as Path.as_uri() does), and the run commits rather than aborting."""
    name = b"trades_\xe9t\xe9 #1.csv"
    data = (EXAMPLES / "etrm_trades.csv").read_bytes()
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b",CP1004,", b",CP9999,", 1)  # one reject, for quarantine's URI
    lines.insert(3, b"100999,only,three")  # a malformed record, whose message names the file
    with open(bytes(workspace.root) + b"/" + name, "wb") as f:
        f.write(b"\n".join(lines))
    pipeline = workspace.write_pipeline("latin1.yaml", {"path: etrm_trades.csv": 'path: "trades_*.csv"'})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "invalid UTF-8" not in result.stderr
    uri = "file://" + str(workspace.root.resolve()) + "/trades_%E9t%E9%20%231.csv"
    events = workspace.table().scan().to_arrow().column("provenance").to_pylist()
    assert {e["raw_payload_uri"] for e in events} == {uri}
    quarantine = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert [q["input_uri"] for q in quarantine] == [uri, uri]
    messages = [f["message"] for q in quarantine for f in q["failures"]]
    assert any("trades_\\xE9t\\xE9 #1.csv:4: expected 48 fields, found 3" in m for m in messages), messages
    summary = workspace.table().current_snapshot().summary
    (entry,) = json.loads(summary["tradeflow.inputs"])
    assert entry["path"].endswith("/trades_\ufffdt\ufffd #1.csv")


def test_a_pipeline_replacing_another_pipelines_reference_rows_says_so(workspace):
    # Two pipelines write to namespace trading; the second reads a counterparty list of its own.
    assert workspace.run_pipeline().returncode == 0
    shutil.copytree(workspace.root / "ref", workspace.root / "ref2")
    with open(workspace.root / "ref2" / "counterparties.csv", "a") as f:
        f.write("CP2001,Newcomer Trading Ltd,,GB,true\n")
    other = workspace.write_pipeline("other.yaml", {
        "pipeline: etrm-daily": "pipeline: etrm-other",
        "{path: ref/counterparties.csv}": "{path: ref2/counterparties.csv}",
    })
    result = workspace.run_pipeline(other)
    assert result.returncode == 0, result.stderr
    assert ("note: trading.ref_counterparties held other rows, written by pipeline 'etrm-daily'; "
            "pipelines writing to namespace trading should read the same reference files") in result.stderr
    assert "ref_books held other rows" not in result.stderr  # the same rows: not written again
    table = workspace.catalog().load_table("trading.ref_counterparties")
    assert table.current_snapshot().summary["tradeflow.pipeline"] == "etrm-other"


def test_pipelines_into_two_trade_tables_sharing_the_quarantine_table_see_their_own_rejects(workspace):
    # Production quarantines line 2 (an unknown book); a staging pipeline reads the same file
    # into a table of its own, with reference data that knows the book. The rejects production
    # stored in the shared quarantine table are not staging's: staging stores all 300.
    path = workspace.root / "etrm_trades.csv"
    lines = path.read_bytes().split(b"\r\n")
    header = lines[0].decode().split(",")
    fields = lines[1].decode().split(",")
    fields[header.index("book")] = "NEW-BOOK"
    lines[1] = ",".join(fields).encode()
    path.write_bytes(b"\r\n".join(lines))
    first = workspace.run_pipeline()
    assert "read 300 = accepted 299 + quarantined 1" in first.stdout, first.stdout
    shutil.copytree(workspace.root / "ref", workspace.root / "ref2")
    with open(workspace.root / "ref2" / "books.csv", "a") as f:
        f.write("NEW-BOOK,ENERGY-EU,529900TFCOMMOD000132,Energy,true\n")
    staging = workspace.write_pipeline("staging.yaml", {
        "pipeline: etrm-daily": "pipeline: etrm-staging",
        "  name: trade_events\n": "  name: trade_events_staging\n",
        "{path: ref/books.csv}": "{path: ref2/books.csv}",
    })
    result = workspace.run_pipeline(staging)
    assert result.returncode == 0, result.stderr
    assert "read 300 = accepted 300 + quarantined 0" in result.stdout, result.stdout
    assert len(workspace.catalog().load_table("trading.trade_events_staging").scan().to_arrow()) == 300
    # Each run sees its own table's state: production's next run skips the file.
    assert "skipped: already ingested" in workspace.run_pipeline().stdout


def test_a_missing_data_file_of_the_table_is_named_with_what_to_do(workspace):
    assert workspace.run_pipeline().returncode == 0
    task = next(iter(workspace.table().scan().plan_files()))
    Path(urlparse(task.file.file_path).path).unlink()
    write_day2(workspace)
    result = workspace.run_pipeline(workspace.write_pipeline("day2.yaml", {"path: etrm_trades.csv": "path: day2.csv"}))
    assert result.returncode == 1
    assert "a data file the table references cannot be read" in result.stderr, result.stderr
    assert "restore it, from a backup" in result.stderr
    shown = workspace.run("show", "trading.trade_events")
    assert "a data file the table references cannot be read" in shown.stderr, shown.stderr


def test_a_table_whose_metadata_file_is_gone_stops_the_run_naming_it(workspace):
    # The catalog names the table, so it is not a new one: taking it for one would read every
    # ingested input again and then lose every commit to the table (exit 75, forever).
    assert workspace.run_pipeline().returncode == 0
    metadata = Path(urlparse(workspace.table().metadata_location).path)
    metadata.unlink()
    result = workspace.run_pipeline()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "table trading.trade_events cannot be read" in result.stderr
    assert str(metadata) in result.stderr
    assert "restore that file" in result.stderr
    shown = workspace.run("snapshots", "trading.trade_events")
    assert shown.returncode == 1 and "cannot be read" in shown.stderr


def test_a_catalog_uri_means_to_tradeflow_what_it_means_to_pyiceberg(workspace):
    # SQLAlchemy decodes %XX in an sqlite:/// URI: my%20cat.db is "my cat.db" for both, and the
    # pyiceberg lines the run prints open it as printed, a '%' in the folder's name included.
    folder = workspace.root / "d%41ta"
    folder.mkdir()
    pipeline = workspace.write_pipeline("pct.yaml", {
        "uri: lake/catalog.db": f'uri: "sqlite:///{workspace.root}/d%2541ta/my%20cat.db"'})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert (folder / "my cat.db").exists()
    from pyiceberg.catalog.sql import SqlCatalog

    uri = re.search(r'uri="([^"]+)"', result.stdout).group(1)
    assert uri == f"sqlite:///{workspace.root}/d%2541ta/my cat.db"
    table = SqlCatalog("tradeflow", uri=uri).load_table("trading.trade_events")
    assert table.scan().to_arrow().num_rows == 300


def test_a_log_reader_that_goes_away_does_not_stop_a_run(workspace):
    # `tradeflow run ... 2>&1 | head -1`: the run outlives its log reader and commits.
    run = subprocess.Popen([str(workspace.binary), "run", "etrm_pipeline.yaml"], cwd=workspace.root,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    run.stdout.read(1)
    run.stdout.close()
    assert run.wait(timeout=120) == 0
    assert workspace.table().scan().to_arrow().num_rows == 300


def test_reading_commands_leave_another_applications_database_untouched(workspace):
    # A mistyped --catalog names some other SQLite file: it is not a catalog, and it stays as it was.
    import sqlite3

    other = workspace.root / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("create table customers(id int)")
    before = other.read_bytes()
    for command in (["tables"], ["snapshots", "trading.trade_events"], ["show", "trading.trade_events"]):
        result = workspace.run(*command, "--catalog", str(other))
        assert result.returncode == 1, result.stdout
        assert "without an iceberg_tables table, so not an Iceberg SQL catalog" in result.stderr
    assert other.read_bytes() == before
    assert not Path(str(other) + "-wal").exists()


def test_listing_tables_waits_for_no_writer(workspace):
    import sqlite3
    import time

    assert workspace.run_pipeline().returncode == 0
    writer = sqlite3.connect(workspace.catalog_path, isolation_level=None)
    writer.execute("begin immediate")
    try:
        started = time.monotonic()
        result = workspace.run("tables")
        assert result.returncode == 0, result.stderr
        assert "trading.trade_events" in result.stdout
        assert time.monotonic() - started < 5
    finally:
        writer.execute("rollback")
        writer.close()


def test_a_wrong_command_line_exits_2(workspace):
    for command in (["schema", "nope"], ["run", "nope.yaml"]):
        result = workspace.run(*command)
        assert result.returncode == 2, (command, result.stderr)
    assert "table name 'nope' must be namespace.table" in workspace.run("schema", "nope").stderr
    assert "nope.yaml: no such pipeline file" in workspace.run("run", "nope.yaml").stderr


def test_show_arguments_are_taken_as_written(loaded):
    shown = loaded.run("show", "trading.trade_events", "--columns", "trade_uid, action", "-n", "1")
    assert shown.returncode == 0, shown.stderr
    assert "trade_uid:" in shown.stdout and "action:" in shown.stdout
    assert loaded.run("show", "trading.trade_events", "--columns", "").returncode == 2
    none = loaded.run("show", "trading.trade_events", "--snapshot", "0")
    assert none.returncode == 1 and "has no snapshot 0" in none.stderr


def test_a_new_catalog_is_said(workspace):
    # A first run makes its catalog; so would a catalog.uri with a typo, which the log shows.
    first = workspace.run_pipeline()
    assert first.returncode == 0 and "no catalog was at " in first.stderr
    assert "no catalog was at " not in workspace.run_pipeline().stderr
