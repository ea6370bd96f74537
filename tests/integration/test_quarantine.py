"""Bad records go to the quarantine table with their reasons, never dropped: for every input
file and run, records read = accepted + quarantined, in the run summary and in the snapshots."""

import csv
import gzip
import io
import json

import pytest

from conftest import EXAMPLES


def example_rows():
    with open(EXAMPLES / "etrm_trades.csv", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def write_csv(path, fieldnames, rows, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    data = out.getvalue().encode(encoding)
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)


# Each bad row: (what to change, the rule that must catch it).
BAD = [
    ({"trade_date": "2026-02-30"}, "mapping_error"),
    ({"quantity": "12x"}, "mapping_error"),
    ({"buy_sell": "Hold"}, "known_enum_values"),
    ({"cpty_id": "CP9999"}, "known_counterparty"),
    ({"book": "NOBOOK-XX"}, "known_book"),
    ({"cpty_lei": "5493ZH9FHPJQ0M9UPC39"}, "lei_check_digits"),
    ({"lots": "7", "quantity": "1234"}, "lots_times_contract_size"),
    # Lots × size agree, but no contract in examples/ref has lots of 7.
    ({"lots": "2", "contract_size": "7", "quantity": "14"}, "contract_matches_spec"),
    # Nothing converts widgets to the product's canonical unit.
    ({"quantity_unit": "widgets"}, "quantity_in_canonical_unit"),
]


@pytest.fixture
def bad_batch(workspace):
    fieldnames, rows = example_rows()
    rows = rows[:60]
    # Pick futures rows so every change above is meaningful.
    futures = [i for i, r in enumerate(rows) if r["toolset"] == "Future"]
    expected = {}
    for (change, rule), i in zip(BAD, futures):
        rows[i].update(change)
        expected[i + 2] = rule  # line number: header is line 1
    dup = dict(rows[0])  # the same trade version with other content
    dup["trader"] = "someone-else"
    rows.append(dup)
    expected[len(rows) + 1] = "unique_version"
    rows.append(dict(rows[1]))  # a replay (the same content again): accepted, stored once
    write_csv(workspace.root / "bad.csv", fieldnames, rows)
    # A line with a broken quote, which no CSV reader can parse.
    text = (workspace.root / "bad.csv").read_bytes().decode()
    lines = text.split("\r\n")
    lines.insert(5, lines[4].replace("TFC TRADING", 'TFC "TRADING'))
    (workspace.root / "bad.csv").write_bytes("\r\n".join(lines).encode())
    # Inserting shifts later lines by one; the broken line itself is line 6.
    shifted = {(l + 1 if l >= 6 else l): r for l, r in expected.items()}
    shifted[6] = "parse_error"
    pipeline = workspace.write_pipeline("bad.yaml", {"path: etrm_trades.csv": "path: bad.csv"})
    return workspace, pipeline, shifted, len(rows) + 1


def test_every_bad_record_is_quarantined_with_its_reason(bad_batch):
    ws, pipeline, expected, total = bad_batch
    result = ws.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    bad = len(expected)
    assert f"read {total} = accepted {total - bad} + quarantined {bad}" in result.stdout

    catalog = ws.catalog()
    quarantine = catalog.load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert len(quarantine) == bad
    stored_mapping_version = (
        catalog.load_table("trading.trade_events")
        .scan(selected_fields=("provenance",), limit=1)
        .to_arrow()
        .to_pylist()[0]["provenance"]["mapping_version"]
    )
    assert stored_mapping_version  # the version a fix is made against, as for stored records
    by_line = {q["line"]: q for q in quarantine}
    assert set(by_line) == set(expected)
    for line, rule in expected.items():
        q = by_line[line]
        rules = [f["rule"] for f in q["failures"]]
        assert rule in rules, (line, rules, q["failures"])
        assert all(f["message"] for f in q["failures"])
        assert q["raw_record"], line
        assert q["source_location"] == f"line {line}"
        assert q["input_uri"].endswith("/bad.csv")
        assert len(q["input_sha256"]) == 64
        assert q["mapping_version"] == stored_mapping_version, line
    assert by_line[6]["stage"] == "PARSE"
    assert 'TFC "TRADING' in by_line[6]["raw_record"]

    events = catalog.load_table("trading.trade_events")
    assert events.scan().to_arrow().num_rows == total - bad - 1  # the replay is stored once
    summary = events.current_snapshot().summary
    assert summary["tradeflow.records-read"] == str(total)
    assert summary["tradeflow.records-accepted"] == str(total - bad)
    assert summary["tradeflow.records-replayed"] == "1"
    assert summary["tradeflow.records-quarantined"] == str(bad)
    inputs = json.loads(summary["tradeflow.inputs"])
    assert inputs[0]["read"] == inputs[0]["accepted"] + inputs[0]["quarantined"]
    assert inputs[0]["replayed"] == 1
    qsummary = catalog.load_table("trading.quarantine").current_snapshot().summary
    assert qsummary["tradeflow.run-id"] == summary["tradeflow.run-id"]


def test_a_rejected_repeat_of_a_version_also_fails_unique_version(workspace):
    """A quarantine row lists every rule its record fails: a record rejected for another rule
    whose version is already stored, or was accepted earlier in the run, fails unique_version
    too. Nothing of a rejected record is stored, so a later copy of its version is no duplicate."""
    fieldnames, rows = example_rows()
    write_csv(workspace.root / "first.csv", fieldnames, rows[:3])
    first = workspace.write_pipeline("first.yaml", {"path: etrm_trades.csv": "path: first.csv"})
    assert workspace.run_pipeline(first).returncode == 0

    unknown = {"cpty_id": "CP9999"}
    stored_again = dict(rows[0], **unknown)  # line 2: version already in the table
    new_version = dict(rows[1], version="7", **unknown)  # line 3: a version not seen
    accepted = dict(rows[5])  # line 4: accepted in this run
    after_accepted = dict(rows[5], **unknown)  # line 5: a repeat of line 4
    corrected = dict(rows[1], version="7")  # line 6: line 3 again, now valid: stored
    write_csv(workspace.root / "second.csv", fieldnames,
              [stored_again, new_version, accepted, after_accepted, corrected])
    second = workspace.write_pipeline("second.yaml", {"path: etrm_trades.csv": "path: second.csv"})
    result = workspace.run_pipeline(second)
    assert result.returncode == 0, result.stderr
    assert "read 5 = accepted 2 + quarantined 3" in result.stdout

    quarantine = workspace.catalog().load_table("trading.quarantine").scan().to_arrow()
    by_line = {q["line"]: {f["rule"]: f["message"] for f in q["failures"]}
               for q in quarantine.to_pylist()}
    assert set(by_line) == {2, 3, 5}
    assert set(by_line[2]) == {"known_counterparty", "unique_version"}
    assert by_line[2]["unique_version"] == (
        f"(ENDUR, {rows[0]['deal_num']}, version 1) is a duplicate: already in the table")
    assert set(by_line[3]) == {"known_counterparty"}
    assert set(by_line[5]) == {"known_counterparty", "unique_version"}
    assert by_line[5]["unique_version"].endswith("is a duplicate: also at line 4")

    assert "quarantined by known_counterparty: 3" in result.stdout
    assert "quarantined by unique_version: 2" in result.stdout
    ids = workspace.table().scan().to_arrow().select(["source_trade_id", "source_version"]).to_pylist()
    assert {"source_trade_id": rows[1]["deal_num"], "source_version": 7} in ids


def test_a_repeat_with_a_value_that_cannot_be_read_also_fails_unique_version(workspace):
    # A quantity that is no number leaves the record's key right: fixing it alone would not
    # get the repeat stored, so its row says so. A version that is no number leaves no key.
    fieldnames, rows = example_rows()
    accepted = dict(rows[5])  # line 2
    bad_quantity = dict(rows[5], quantity="x")  # line 3: the same version again
    bad_version = dict(rows[5], version="x")  # line 4
    write_csv(workspace.root / "repeat.csv", fieldnames, [accepted, bad_quantity, bad_version])
    pipeline = workspace.write_pipeline("repeat.yaml", {"path: etrm_trades.csv": "path: repeat.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 3 = accepted 1 + quarantined 2" in result.stdout
    quarantine = workspace.catalog().load_table("trading.quarantine").scan().to_arrow()
    by_line = {q["line"]: {f["rule"] for f in q["failures"]} for q in quarantine.to_pylist()}
    assert by_line[3] == {"mapping_error", "unique_version"}
    assert "unique_version" not in by_line[4]


def test_a_value_that_cannot_be_read_is_listed_with_the_other_failed_rules(workspace):
    """A record with a value that does not convert still goes through the rules, so that its
    quarantine row names everything to fix at once; a rule about the unreadable field itself
    ("trade_date is missing") is not listed, as it would only repeat the mapping error."""
    fieldnames, rows = example_rows()
    bad = dict(rows[0], trade_date="2026-02-30", cpty_id="CP9999")
    write_csv(workspace.root / "both.csv", fieldnames, [bad, rows[1]])
    pipeline = workspace.write_pipeline("both.yaml", {"path: etrm_trades.csv": "path: both.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 2 = accepted 1 + quarantined 1" in result.stdout

    (row,) = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert row["stage"] == "MAP"
    failures = {f["rule"]: f for f in row["failures"]}
    assert set(failures) == {"mapping_error", "known_counterparty"}
    assert failures["mapping_error"]["field"] == "trade_date"
    assert "2026-02-30" in failures["mapping_error"]["message"]
    assert "CP9999" in failures["known_counterparty"]["message"]
    assert "quarantined by known_counterparty: 1" in result.stdout


def test_times_finer_than_a_microsecond_are_noted(workspace):
    """Iceberg v2 timestamps hold microseconds: a time with nanoseconds (FIX allows them) is
    stored cut to the microsecond, and the run says so rather than cutting without a word."""
    fieldnames, rows = example_rows()
    nanos = dict(rows[0], exec_time="2026-05-11T08:02:23.123456789+02:00")
    micros = dict(rows[1], exec_time="2026-04-12T12:19:08.180001+01:00")
    write_csv(workspace.root / "nanos.csv", fieldnames, [nanos, micros])
    pipeline = workspace.write_pipeline("nanos.yaml", {"path: etrm_trades.csv": "path: nanos.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 2 = accepted 2 + quarantined 0" in result.stdout
    assert ("nanos.csv: 1 stored records have a time with digits below a microsecond "
            "(execution_time or provenance.source_created_time)") in result.stderr
    times = {r["source_trade_id"]: r["execution_time"] for r in
             workspace.table().scan().to_arrow().select(["source_trade_id", "execution_time"])
             .to_pylist()}
    assert times[rows[0]["deal_num"]].isoformat() == "2026-05-11T06:02:23.123456+00:00"
    assert times[rows[1]["deal_num"]].microsecond == 180001


def test_a_stray_quote_costs_its_own_record_only(workspace):
    """A malformed CSV record ends where its quoting ends it: a quoted line break after the error
    stays in that record, and the records after it are read, not swallowed into it."""
    fieldnames, rows = example_rows()
    write_csv(workspace.root / "quotes.csv", fieldnames, rows[:6])
    lines = (workspace.root / "quotes.csv").read_bytes().decode().split("\r\n")
    first = lines[1].replace(rows[0]["deal_num"], f'"{rows[0]["deal_num"]}"x', 1)
    lines[1] = first[:first.rindex(",") + 1] + '"note\r\nmore"'  # the last column, quoted
    (workspace.root / "quotes.csv").write_bytes("\r\n".join(lines).encode())
    pipeline = workspace.write_pipeline("quotes.yaml", {"path: etrm_trades.csv": "path: quotes.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 6 = accepted 5 + quarantined 1" in result.stdout
    [bad] = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert bad["line"] == 2 and bad["stage"] == "PARSE"
    # Nothing could be mapped: no trade key, and no version (null, not 0).
    assert bad["source_trade_id"] is None and bad["source_version"] is None
    assert bad["raw_record"] == lines[1]
    assert "unexpected text after the closing quote of field 1" in bad["failures"][0]["message"]
    assert workspace.table().scan().to_arrow().num_rows == 5


def test_a_header_that_is_not_utf8_stops_the_run(workspace):
    """Header names become keys of each row's source_attributes: a Latin-1 name read as UTF-8
    would make the stored rows unreadable, so the file is refused at its header."""
    header, rest = (EXAMPLES / "etrm_trades.csv").read_bytes().split(b"\r\n", 1)
    assert header.endswith(b",comment")
    (workspace.root / "latin1.csv").write_bytes(
        header.replace(b",comment", b",remarqu\xe9") + b"\r\n" + rest)
    pipeline = workspace.write_pipeline("latin1.yaml", {"path: etrm_trades.csv": "path: latin1.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    assert "latin1.csv:1: invalid UTF-8 at byte" in result.stderr, result.stderr
    assert "of the header row; is the file Windows-1252 or Latin-1? set encoding: windows-1252" in (
        result.stderr)


def test_warnings_are_stored_and_flagged(workspace):
    fieldnames, rows = example_rows()
    rows = rows[:20]
    rows[3]["book"] = "CRUDE-LDN"  # keep known
    write_csv(workspace.root / "w.csv", fieldnames, rows)
    pipeline = workspace.write_pipeline(
        "w.yaml",
        {
            "path: etrm_trades.csv": "path: w.csv",
            'pattern: "[A-Z]+-[A-Z]{2,3}"': 'pattern: "NEVER"',
        },
    )
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    rows_out = workspace.table().scan().to_arrow().to_pylist()
    assert len(rows_out) == 20  # warnings do not quarantine
    flagged = [r for r in rows_out if any(w["rule"] == "book_naming" for w in r["quality_warnings"])]
    assert len(flagged) == 20
    # The summary and the snapshot say how many were stored flagged, and by which rule.
    warned = sum(1 for r in rows_out if r["quality_warnings"])
    assert f"      stored with warnings: {warned}\n" in result.stdout
    assert "      warned by book_naming: 20\n" in result.stdout
    summary = workspace.table().current_snapshot().summary
    assert summary["tradeflow.records-with-warnings"] == str(warned)


def test_a_pattern_rule_on_a_very_long_value_is_checked(workspace):
    # A trader id of 100,000 characters against a group repeated per character: std::regex
    # crashed the run on this (a stack frame per character).
    fieldnames, rows = example_rows()
    rows = rows[:3]
    rows[1]["trader"] = "a" * 100000
    rows[2]["trader"] = "a" * 100000 + "!"
    write_csv(workspace.root / "long.csv", fieldnames, rows)
    rule = ('    - id: trader_format\n      field: parties.trader\n      pattern: '
            "'(\\w|\\.)+'\n    - id: book_naming")
    pipeline = workspace.write_pipeline("long.yaml", {"path: etrm_trades.csv": "path: long.csv",
                                                      "    - id: book_naming": rule})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    assert "read 3 = accepted 2 + quarantined 1" in result.stdout, result.stdout
    assert "quarantined by trader_format: 1" in result.stdout
    [reject] = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert reject["line"] == 4
    assert reject["failures"][0]["message"] == "'" + "a" * 80 + "...' (100001 bytes) does not match the pattern (\\w|\\.)+"


def test_compressed_and_latin1_inputs(workspace):
    fieldnames, rows = example_rows()
    rows = rows[:30]
    rows[2]["comment"] = "Zürich desk, prix café"
    write_csv(workspace.root / "latin.csv.gz", fieldnames, rows, encoding="latin-1")
    pipeline = workspace.write_pipeline(
        "latin.yaml",
        {"path: etrm_trades.csv": "path: latin.csv.gz", "encoding: utf-8": "encoding: latin-1"},
    )
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    got = workspace.table().scan().to_arrow().to_pylist()
    assert len(got) == 30
    comments = [dict(r["source_attributes"]).get("comment") for r in got]
    assert "Zürich desk, prix café" in comments

    # The same Latin-1 bytes declared as UTF-8: that record is quarantined, the others land.
    write_csv(workspace.root / "wrong.csv", fieldnames, [dict(r, deal_num="9" + r["deal_num"])
                                                        for r in rows], encoding="latin-1")
    wrong = workspace.write_pipeline("wrong.yaml", {"path: etrm_trades.csv": "path: wrong.csv"})
    result = workspace.run_pipeline(wrong)
    assert result.returncode == 0, result.stderr
    assert "read 30 = accepted 29 + quarantined 1" in result.stdout
    q = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert "invalid UTF-8" in q[0]["failures"][0]["message"]


def test_reference_tables_are_readable(workspace):
    assert workspace.run_pipeline().returncode == 0
    catalog = workspace.catalog()
    names = {t[1] for t in catalog.list_tables("trading")}
    for kind in ("counterparties", "books", "products", "contracts", "unit_conversions",
                 "fx_rates"):
        assert f"ref_{kind}" in names
    with open(EXAMPLES / "ref" / "counterparties.csv", newline="") as f:
        expected = {r["id"]: r["lei"] or None for r in csv.DictReader(f)}  # empty → null
    got = catalog.load_table("trading.ref_counterparties").scan().to_arrow().to_pylist()
    assert {r["id"]: r["lei"] for r in got} == expected
    contracts = catalog.load_table("trading.ref_contracts").scan().to_arrow().to_pylist()
    assert any(c["product_code"] == "B" and str(c["contract_size"]) .startswith("1000")
               for c in contracts)

    # The first load only adds; a changed reference file replaces the table's content (one live
    # version).
    assert catalog.load_table("trading.ref_books").current_snapshot().summary.operation.value \
        == "append"
    path = workspace.root / "ref" / "books.csv"
    path.write_text(path.read_text() + "AGRI-LDN,AGRI,529900TFCOMMOD000132,Agri,true\n")
    assert workspace.run_pipeline().returncode == 0
    books = workspace.catalog().load_table("trading.ref_books")
    assert books.scan().to_arrow().num_rows == 6
    assert books.current_snapshot().summary.operation.value == "overwrite"


def test_truncated_gzip_stops_the_run_with_its_location(workspace):
    """A compressed file cut short loses the rest of its records: that is a clear error for the
    whole file (naming it and the offset), not a quarantine row, and nothing is committed."""
    fieldnames, rows = example_rows()
    # Large enough that the cut falls after the first chunk the reader decompresses, so the
    # error comes in the middle of the records, not while reading the header.
    many = [dict(r, deal_num=f"{k}{r['deal_num']}") for k in range(1, 41) for r in rows]
    write_csv(workspace.root / "cut.csv.gz", fieldnames, many)
    data = (workspace.root / "cut.csv.gz").read_bytes()
    (workspace.root / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    pipeline = workspace.write_pipeline("cut.yaml", {"path: etrm_trades.csv": "path: cut.csv.gz"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if l.startswith("tradeflow: error:")]
    assert len(errors) == 1 and "cut.csv.gz" in errors[0], result.stderr
    assert "offset" in errors[0] or "truncated" in errors[0], errors[0]
    assert not (workspace.root / "lake" / "trading" / "trade_events").exists()


def test_show_quotes_a_raw_record_as_json(workspace):
    """A raw record holds quotes and line breaks: `tradeflow show` escapes them, one value a line."""
    fieldnames, rows = example_rows()
    rows = rows[:3]
    rows[1]["cpty_id"] = 'CP "9"\nnew line'
    write_csv(workspace.root / "quoted.csv", fieldnames, rows)
    pipeline = workspace.write_pipeline("q.yaml", {"path: etrm_trades.csv": "path: quoted.csv"})
    assert workspace.run_pipeline(pipeline).returncode == 0
    shown = workspace.run("show", "trading.quarantine", "--columns", "raw_record")
    assert shown.returncode == 0, shown.stderr
    values = [l for l in shown.stdout.splitlines() if l.startswith("  raw_record: ")]
    assert len(values) == 1 and shown.stdout.count("-- row") == 1, shown.stdout
    assert json.loads(values[0][len("  raw_record: "):]).count('CP ""9""\nnew line') == 1


def test_a_duplicate_in_another_folder_is_named_by_its_path(workspace):
    """Two inputs sharing a file name (a glob over day folders): a repeat names the other copy
    by its path, not by the name both have."""
    fieldnames, rows = example_rows()
    for day, trader in (("day1", "ann"), ("day2", "bob")):
        (workspace.root / "in" / day).mkdir(parents=True)
        changed = [dict(rows[0], trader=trader)]
        write_csv(workspace.root / "in" / day / "t.csv", fieldnames, changed)
    pipeline = workspace.write_pipeline("g.yaml", {"path: etrm_trades.csv": "path: in/*/t.csv"})
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    rows = workspace.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()
    assert len(rows) == 1
    messages = [f["message"] for f in rows[0]["failures"]]
    assert messages == ["(ENDUR, 100001, version 1) is a duplicate with different content: also "
                        "at in/day1/t.csv line 2"], messages
