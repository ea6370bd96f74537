"""Each source end to end: a realistic sample lands exactly; a bad-input corpus ends in
quarantine rows with their location, and read = accepted + quarantined holds in every case."""

import json
import re
from decimal import Decimal

from conftest import EXAMPLES


def run_ok(ws, pipeline):
    result = ws.run_pipeline(pipeline)
    assert result.returncode == 0, result.stderr
    m = re.search(r"total: read (\d+) = accepted (\d+) \+ quarantined (\d+)", result.stdout)
    read, accepted, quarantined = map(int, m.groups())
    assert read == accepted + quarantined
    return read, accepted, quarantined, result


def quarantine_rows(ws):
    return ws.catalog().load_table("trading.quarantine").scan().to_arrow().to_pylist()


def test_jsonl_sample_matches_the_csv_export(workspace):
    read, accepted, quarantined, _ = run_ok(workspace, "jsonl_pipeline.yaml")
    assert (read, accepted, quarantined) == (300, 300, 0)
    rows = workspace.table().scan().to_arrow().to_pylist()
    by_record = {r["source_record_id"]: r for r in rows}
    # Parse the numbers as the file writes them (Decimal, not float) to compare exactly.
    text = (EXAMPLES / "etrm_trades.jsonl").read_text().splitlines()
    source = [json.loads(l, parse_float=Decimal, parse_int=Decimal) for l in text]
    for s in source:
        got = by_record[str(s["tran_num"])]
        assert got["source_trade_id"] == str(s["deal_num"])
        assert got["parties"]["counterparty"]["lei"] == s["counterparty"]["lei"]
        assert got["legs"][0]["quantity"]["value"] == s["quantity"]["value"]
        if "price" in s and "value" in s["price"] and s["product"]["toolset"] in ("Future", "Swap"):
            assert got["legs"][0]["fixed"]["price"]["value"] == s["price"]["value"]


def test_the_same_trades_as_json_lines_after_the_csv_export_are_replays(workspace):
    """The two example pipelines map the same export to the same canonical records, so the
    JSON Lines feed after the CSV one stores nothing twice and quarantines nothing."""
    run_ok(workspace, "etrm_pipeline.yaml")
    read, accepted, quarantined, result = run_ok(workspace, "jsonl_pipeline.yaml")
    assert (read, accepted, quarantined) == (300, 300, 0)
    assert "of the accepted, 300 were versions already stored with the same content" in (
        result.stdout)
    assert workspace.table().scan().to_arrow().num_rows == 300


def test_jsonl_bad_corpus(workspace):
    good = (workspace.root / "etrm_trades.jsonl").read_text().splitlines()[:20]
    bad = [
        '{"deal_num": 1, "version": ',  # not JSON
        "[1, 2, 3]",  # not an object
        good[0].replace('"side":"Buy"', '"side":"Hold"').replace('"side":"Sell"', '"side":"Hold"'),
        good[1].replace('"trade_date":"', '"trade_date":"31/13/'),
        good[2].replace('"id":"CP', '"id":"XX'),
    ]
    lines = good[3:] + bad
    data = ("\n".join(lines) + "\n").encode()
    data += b'{"deal_num": 7, "comment": "caf\xe9"}\n'  # a Latin-1 byte in a UTF-8 file
    (workspace.root / "bad.jsonl").write_bytes(data)
    pipeline = workspace.write_pipeline(
        "bad_jsonl.yaml", {"path: etrm_trades.jsonl": "path: bad.jsonl"}, base="jsonl_pipeline.yaml"
    )
    read, accepted, quarantined, _ = run_ok(workspace, pipeline)
    assert (read, accepted, quarantined) == (23, 17, 6)
    q = {r["line"]: r for r in quarantine_rows(workspace)}
    assert q[18]["stage"] == "PARSE" and q[19]["stage"] == "PARSE"
    rules = {line: {f["rule"] for f in r["failures"]} for line, r in q.items()}
    assert "known_enum_values" in rules[20]
    assert "mapping_error" in rules[21]
    assert "known_counterparty" in rules[22]
    assert "invalid UTF-8" in q[23]["failures"][0]["message"]


def test_fixml_sample_one_record_per_leg(workspace):
    read, accepted, quarantined, _ = run_ok(workspace, "fixml_pipeline.yaml")
    text = (EXAMPLES / "exchange_trades.fixml").read_text()
    reports = text.count("<TrdCaptRpt ")
    multi_leg = len(re.findall(r'<TrdCaptRpt [^>]*MLegRptTyp="3"', text))
    legs = text.count("<TrdLeg ")
    assert read == reports - multi_leg + legs
    assert quarantined == 0
    rows = workspace.table().scan().to_arrow().to_pylist()
    packages = {}
    for r in rows:
        if r["package_id"]:
            packages.setdefault((r["package_id"], r["source_version"]), []).append(r)
    assert packages and all(len(v) == 2 for v in packages.values())
    for legs_of_swap in packages.values():
        kinds = sorted("fixed" if l["legs"][0]["fixed"] else "floating" for l in legs_of_swap)
        assert kinds == ["fixed", "floating"]
    future = next(r for r in rows if r["product"]["instrument_type"] == "FUTURE")
    q = future["legs"][0]["quantity"]
    assert q["value"] == q["lots"] * q["contract_size"]  # derived by normalisation


def fixml_reports(ws) -> list:
    """The trade capture reports of the example FIXML file, as text."""
    text = (ws.root / "exchange_trades.fixml").read_text()
    return re.findall(r"<TrdCaptRpt .*?</TrdCaptRpt>", text, re.S)


def fixml_pipeline_over(ws, name: str, reports: list, tail: str = "</Batch></FIXML>\n") -> str:
    """Writes `reports` (then `tail`) as <name>.fixml, and a pipeline <name>.yaml reading it."""
    body = "\n".join(reports) + "\n" + tail
    (ws.root / f"{name}.fixml").write_text('<?xml version="1.0"?>\n<FIXML><Batch>\n' + body)
    return fixml_pipeline_reading(ws, name)


def fixml_pipeline_reading(ws, name: str) -> str:
    """A pipeline <name>.yaml like fixml_pipeline.yaml, reading <name>.fixml."""
    return ws.write_pipeline(f"{name}.yaml", {"path: exchange_trades.fixml": f"path: {name}.fixml"},
                             base="fixml_pipeline.yaml")


def test_a_report_sent_again_under_a_new_report_id_is_a_replay(workspace):
    # FIX's RptID (source_record_id) is new with every message: a re-sent, unchanged report is
    # the same trade version, stored once, not a conflict.
    run_ok(workspace, "fixml_pipeline.yaml")
    stored = workspace.table().scan().to_arrow().num_rows
    resent = [re.sub(r'RptID="(\d+)"', r'RptID="9\1"', r) for r in fixml_reports(workspace)]
    read, accepted, quarantined, result = run_ok(workspace, fixml_pipeline_over(workspace, "resent", resent))
    assert quarantined == 0, result.stdout
    assert read == accepted
    assert f"of the accepted, {accepted} were versions already stored" in result.stdout
    assert workspace.table().scan().to_arrow().num_rows == stored


def test_the_legs_of_a_package_are_quarantined_together(workspace):
    # A swap whose floating leg has a quantity that is no number: storing the fixed leg alone
    # would show a one-sided position, so it goes to quarantine with the other.
    reports = fixml_reports(workspace)
    swap = next(r for r in reports if 'MLegRptTyp="3"' in r)
    legs = re.findall(r"<TrdLeg [^>]*>", swap)
    assert len(legs) == 2
    broken = swap.replace(legs[1], re.sub(r'Qty="[^"]*"', 'Qty="abc"', legs[1]), 1)
    single = next(r for r in reports if 'MLegRptTyp="1"' in r)
    pipeline = fixml_pipeline_over(workspace, "package", [single, broken])
    read, accepted, quarantined, _ = run_ok(workspace, pipeline)
    assert (read, accepted, quarantined) == (3, 1, 2)
    q = sorted(quarantine_rows(workspace), key=lambda r: r["source_location"])
    assert [r["source_location"] for r in q] == ["TrdCaptRpt 2 leg 1", "TrdCaptRpt 2 leg 2"]
    assert q[1]["failures"][0]["rule"] == "mapping_error"
    leg1 = q[0]["failures"]
    assert [f["rule"] for f in leg1] == ["package_incomplete"]
    assert leg1[0]["message"].startswith("TrdCaptRpt 2 leg 2 of the same report is quarantined (mapping_error: ")
    assert leg1[0]["message"].endswith("the legs of a package are stored together or not at all")
    assert workspace.table().scan().to_arrow().num_rows == 1
    # With on_bad_record: fail the run stops at the leg that failed, named as such. (The file
    # gains a comment, so that it is not the one ingested already.)
    fixml_pipeline_over(workspace, "again", [single, broken], "</Batch></FIXML>\n<!-- again -->\n")
    strict = workspace.write_pipeline("strict.yaml", {"on_bad_record: quarantine": "on_bad_record: fail"},
                                      base="again.yaml")
    failed = workspace.run_pipeline(strict)
    assert failed.returncode == 1
    assert "legs[0].quantity.value (column TrdLeg@Qty): 'abc'" in failed.stderr, failed.stderr
    assert "package_incomplete" not in failed.stderr


def test_a_fixml_file_without_reports_is_noted(workspace):
    """Reports spelt otherwise (TradeCaptureReport) or only other messages: nothing to read,
    which the run says rather than exit 0 in silence."""
    fixml_pipeline_over(workspace, "none", ['<TradeCaptureReport TrdID="1"/>'])
    result = workspace.run_pipeline("none.yaml")
    assert result.returncode == 0, result.stderr
    assert "read 0 = accepted 0 + quarantined 0" in result.stdout
    assert ("none.fixml: no records in it (no TrdCaptRpt element: is it a FIXML trade capture "
            "file?); it is recorded as ingested, and a later run skips it") in result.stderr


def test_legs_of_one_report_with_one_trade_id_fail_their_package(workspace):
    """The example mapping takes a leg's id from its LegNo: on a report that numbers two legs 1,
    the second leg would be a duplicate of the first, stored alone. The package fails whole."""
    reports = fixml_reports(workspace)
    swap = next(r for r in reports if 'MLegRptTyp="3"' in r)
    legs = re.findall(r"<TrdLeg [^>]*>", swap)
    same_number = swap.replace(legs[1], re.sub(r'LegNo="[^"]*"', 'LegNo="1"', legs[1]), 1)
    assert same_number != swap
    pipeline = fixml_pipeline_over(workspace, "legno", [same_number])
    read, accepted, quarantined, _ = run_ok(workspace, pipeline)
    assert (read, accepted, quarantined) == (2, 0, 2)
    by_leg = {row["source_location"]: row["failures"] for row in quarantine_rows(workspace)}
    [first] = by_leg["TrdCaptRpt 1 leg 1"]
    assert first["rule"] == "package_incomplete"
    assert first["message"].startswith("TrdCaptRpt 1 leg 2 of the same report is quarantined")
    [second] = by_leg["TrdCaptRpt 1 leg 2"]  # fails for itself, not for its own sake
    assert second["rule"] == "unique_version"
    for failure in (first, second):
        assert "is TrdCaptRpt 1 leg 1's too: a package's legs need trade ids of their own" in failure["message"]
    # A third leg numbered 1 fails for itself as well.
    leg_elements = re.findall(r"<TrdLeg .*?</TrdLeg>", same_number, re.S)
    three = same_number.replace(leg_elements[1], leg_elements[1] + leg_elements[1], 1)
    run_ok(workspace, fixml_pipeline_over(workspace, "legno3", [three]))
    rules = {row["source_location"]: [f["rule"] for f in row["failures"]]
             for row in quarantine_rows(workspace) if row["input_uri"].endswith("legno3.fixml")}
    assert rules == {"TrdCaptRpt 1 leg 1": ["package_incomplete"],
                     "TrdCaptRpt 1 leg 2": ["unique_version"],
                     "TrdCaptRpt 1 leg 3": ["unique_version"]}
    # With unique_version off every repeat is stored, and so are these legs.
    off = workspace.write_pipeline("legno_off.yaml", {"\nmapping:": "\nvalidation:\n  builtin: {unique_version: off}\nmapping:"},
                                   base="legno.yaml")
    (workspace.root / "legno_again.fixml").write_text((workspace.root / "legno.fixml").read_text() + "<!-- again -->\n")
    text = (workspace.root / off).read_text().replace("path: legno.fixml", "path: legno_again.fixml")
    (workspace.root / off).write_text(text)
    read, accepted, quarantined, _ = run_ok(workspace, off)
    assert (read, accepted, quarantined) == (2, 2, 0)


def test_a_leg_keeps_its_trade_id_when_a_later_version_lists_the_legs_in_another_order(workspace):
    """The example names a leg by its LegNo: version 2 listing the floating leg first does not
    make it the fixed leg's next version. A leg without LegNo is named by its position."""
    reports = fixml_reports(workspace)
    swap = next(r for r in reports if 'MLegRptTyp="3"' in r)
    legs = re.findall(r"<TrdLeg .*?</TrdLeg>", swap, re.S)
    assert len(legs) == 2
    v2 = re.sub(r'TrdVer="\d+"', 'TrdVer="99"', swap, 1).replace(legs[0], "\0").replace(
        legs[1], legs[0]).replace("\0", legs[1])
    no_legno = re.sub(r'TrdID="[^"]*"', 'TrdID="NOLEGNO"', swap, 1).replace(' LegNo="1"', "").replace(' LegNo="2"', "")
    run_ok(workspace, fixml_pipeline_over(workspace, "order", [swap, v2, no_legno]))
    rows = workspace.table().scan().to_arrow().to_pylist()
    by_id = {}
    for r in rows:
        by_id.setdefault(r["source_trade_id"], set()).add(
            (r["legs"][0]["leg_number"], r["legs"][0]["direction"]))
    trade_id = re.search(r'TrdID="([^"]*)"', swap).group(1)
    for suffix in ("-L1", "-L2"):
        assert len(by_id[trade_id + suffix]) == 1, by_id  # the same leg in both versions
    assert {"NOLEGNO-L1", "NOLEGNO-L2"} <= set(by_id)


def test_a_package_resent_with_one_leg_changed_is_quarantined_whole(workspace):
    # The swap's floating leg is re-sent with another spread: that leg conflicts with the stored
    # version, so the re-sent package goes to quarantine whole; the stored one stays as it was.
    swap = next(r for r in fixml_reports(workspace) if 'MLegRptTyp="3"' in r)
    legs = re.findall(r"<TrdLeg [^>]*>", swap)
    changed = swap.replace(legs[1], re.sub(r'Spread="[^"]*"', 'Spread="0.25"', legs[1]), 1)
    assert changed != swap
    assert run_ok(workspace, fixml_pipeline_over(workspace, "swap", [swap]))[:3] == (2, 2, 0)
    assert run_ok(workspace, fixml_pipeline_over(workspace, "swap2", [changed]))[:3] == (2, 0, 2)
    q = sorted(quarantine_rows(workspace), key=lambda r: r["source_location"])
    assert [f["rule"] for f in q[0]["failures"]] == ["package_incomplete"]
    assert "(unique_version: a changed repeat of a version seen before)" in q[0]["failures"][0]["message"]
    assert [f["rule"] for f in q[1]["failures"]] == ["unique_version"]
    assert workspace.table().scan().to_arrow().num_rows == 2


def test_fixml_bad_corpus(workspace):
    single = [r for r in fixml_reports(workspace) if 'MLegRptTyp="1"' in r][:10]
    otc = next(i for i, r in enumerate(single) if 'SecTyp="FWD"' in r and i != 4)
    single[otc] = single[otc].replace('R="17"', 'R="99"', 1)  # an OTC trade with no counterparty
    single[4] = re.sub(r'TrdDt="[^"]*"', 'TrdDt="2026-02-31"', single[4])
    broken = "<TrdCaptRpt RptID=\"broken\" TrdID=\"1\"><Instrmt Sym=\"X\">"
    pipeline = fixml_pipeline_over(workspace, "bad", single + [broken], tail="")  # never closed
    read, accepted, quarantined, _ = run_ok(workspace, pipeline)
    assert (read, accepted, quarantined) == (11, 8, 3)
    q = quarantine_rows(workspace)
    stages = sorted(r["stage"] for r in q)
    assert stages == ["MAP", "PARSE", "VALIDATE"]
    parse = next(r for r in q if r["stage"] == "PARSE")
    assert parse["source_location"].startswith("TrdCaptRpt 11")


def test_fixml_in_utf16_and_latin1_reads_as_utf8(workspace):
    """A FIXML document in UTF-16 (as Windows tools write it) or declared ISO-8859-1 is read as
    its text: the same rows as in UTF-8, a quarantined report's raw_record is that text (no byte
    escapes), and a well-formedness error before the last report stops the run as in UTF-8."""
    reports = [r for r in fixml_reports(workspace) if 'MLegRptTyp="1"' in r]
    otc = [r for r in reports if 'SecTyp="FWD"' in r]
    single = [otc[0], otc[1].replace('R="17"', 'R="99"', 1), otc[2]]  # 2nd: no counterparty
    assert single[1] != otc[1]
    single[2] = single[2].replace('<Hdr SID="ENDUR"/>', '<Hdr SID="ENDUR" Txt="Z\u00fcrich"/>')
    body = "\n".join(single) + "\n</Batch></FIXML>\n"
    for name, encoding, python_codec in [("u16", "UTF-16", "utf-16"),
                                         ("latin1", "ISO-8859-1", "latin-1")]:
        doc = f'<?xml version="1.0" encoding="{encoding}"?>\n<FIXML><Batch>\n' + body
        (workspace.root / f"{name}.fixml").write_bytes(doc.encode(python_codec))
        pipeline = fixml_pipeline_reading(workspace, name)
        read, accepted, quarantined, _ = run_ok(workspace, pipeline)
        assert (read, accepted, quarantined) == (3, 2, 1), name
    rows = workspace.table().scan().to_arrow().to_pylist()
    assert len(rows) == 2  # the second file's are replays of the first's
    attributes = [dict(r["source_attributes"]) for r in rows]
    assert any("Z\u00fcrich" in a.values() for a in attributes), attributes
    rejects = quarantine_rows(workspace)
    assert [r["raw_record"] for r in rejects] == [single[1], single[1]]
    assert all(not r["raw_bytes"] for r in rejects)

    broken = body.replace("</Hdr>", "", 1).replace('<Hdr SID="ENDUR"/>', '<Hdr SID="ENDUR">', 1)
    doc = '<?xml version="1.0" encoding="UTF-16"?>\n<FIXML><Batch>\n' + broken
    (workspace.root / "broken16.fixml").write_bytes(doc.encode("utf-16"))
    pipeline = fixml_pipeline_reading(workspace, "broken16")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    assert "malformed XML in TrdCaptRpt 1: mismatched tag" in result.stderr, result.stderr
    assert "and 2 more reports follow it: the file cannot be read to its end" in result.stderr


def test_a_fixml_path_no_report_has_is_named(workspace):
    # FIXML paths are case-sensitive: @Id for @ID matches nothing, so every trader is empty.
    good = workspace.run_pipeline("fixml_pipeline.yaml")
    assert good.returncode == 0 and "no record of its" not in good.stderr, good.stderr
    pipeline = workspace.write_pipeline(
        "typo.yaml", {"RptSide/Pty[R=12]@ID": "RptSide/Pty[R=12]@Id",
                      "version: fixml-tcr-v1": "version: fixml-tcr-v2"}, base="fixml_pipeline.yaml")
    result = workspace.run("run", pipeline, "--reread-all")
    assert result.returncode == 0, result.stderr
    assert re.search(r"exchange_trades\.fixml: no record of its \d+ has the field "
                     r"RptSide/Pty\[R=12\]@Id \(an optional field, or a misspelt path in the "
                     r"mapping\?\)", result.stderr), result.stderr


def test_fixml_reports_sent_again_in_another_message_are_replays(workspace):
    """The same reports re-sent in a new message (another send time and message id in each
    header, which land in source_attributes) are replays of the stored versions: accepted, not
    stored again, not quarantined. A report whose price changed is a conflict."""
    run_ok(workspace, "fixml_pipeline.yaml")
    stored = workspace.table().scan().to_arrow().num_rows
    text = (EXAMPLES / "exchange_trades.fixml").read_text()
    assert '<Hdr SID="ENDUR"/>' in text
    resent = text.replace('<Hdr SID="ENDUR"/>',
                          '<Hdr SID="ENDUR" Snt="2026-11-27T10:00:00Z" SeqNum="7"/>')
    changed = resent.replace('LastPx="34.98"', 'LastPx="34.99"', 1)
    assert changed != resent
    (workspace.root / "resent.fixml").write_text(changed)
    pipeline = fixml_pipeline_reading(workspace, "resent")
    read, accepted, quarantined, result = run_ok(workspace, pipeline)
    assert (accepted, quarantined) == (read - 1, 1)
    assert f"of the accepted, {read - 1} were versions already stored" in result.stdout
    assert workspace.table().scan().to_arrow().num_rows == stored
    [reject] = quarantine_rows(workspace)
    assert [f["rule"] for f in reject["failures"]] == ["unique_version"]
    assert "duplicate with different content: already in the table" in (
        reject["failures"][0]["message"])


def test_fixml_broken_before_its_last_report_fails_or_is_left_out(workspace):
    """A well-formedness error before the last report would lose every report after it, so the
    file stops the run, saying how many; with on_bad_file: skip it is left out instead, and the
    other files land."""
    text = (workspace.root / "exchange_trades.fixml").read_text()
    first = text.index("</RptSide>")
    (workspace.root / "broken.fixml").write_text(text[:first] + "</RptSid>" + text[first + 10:])
    reports = text.count("<TrdCaptRpt ")
    pipeline = fixml_pipeline_reading(workspace, "broken")
    result = workspace.run_pipeline(pipeline)
    assert result.returncode == 1, result.stdout
    assert "malformed XML in TrdCaptRpt 1: mismatched tag" in result.stderr, result.stderr
    assert f"and {reports - 1} more reports follow it: the file cannot be read to its end" in (
        result.stderr)

    both = workspace.write_pipeline(
        "both.yaml", {"path: exchange_trades.fixml": "paths: [broken.fixml, exchange_trades.fixml]",
                      "on_bad_record: quarantine":
                      "on_bad_record: quarantine\nmax_bad_records: 5%\non_bad_file: skip"},
        base="fixml_pipeline.yaml")
    result = workspace.run_pipeline(both)
    assert result.returncode == 1, result.stdout
    assert "tradeflow: error: left out: broken.fixml:" in result.stderr, result.stderr
    assert "skipped: left out, not ingested" in result.stdout
    read, accepted, quarantined = map(int, re.search(
        r"total: read (\d+) = accepted (\d+) \+ quarantined (\d+)", result.stdout).groups())
    assert read == accepted + quarantined and read > 0
    assert workspace.table().scan().to_arrow().num_rows == accepted


def test_a_json_path_no_record_has_is_named(workspace):
    # A misspelt path: its rule never applies, so every strategy is empty. The run says so.
    good = workspace.run_pipeline("jsonl_pipeline.yaml")
    assert good.returncode == 0 and "no record of its" not in good.stderr, good.stderr
    pipeline = workspace.write_pipeline("typo.yaml", {"internal.strategy": "internal.stratgy",
                                                      "version: etrm-jsonl-v2": "version: etrm-jsonl-v3"},
                                        base="jsonl_pipeline.yaml")
    result = workspace.run("run", pipeline, "--reread-all")
    assert result.returncode == 0, result.stderr
    assert ("etrm_trades.jsonl: no record of its 300 has the key internal.stratgy (an optional "
            "key, or a misspelt path in the mapping?)") in result.stderr, result.stderr
    # A key present, even as null, is not noted (delivery.incoterm is in none of the first 20
    # records, but null in one of them here).
    lines = (workspace.root / "etrm_trades.jsonl").read_text().splitlines()[:20]
    first = json.loads(lines[0])
    first["delivery"]["incoterm"] = None
    lines[0] = json.dumps(first)
    (workspace.root / "head.jsonl").write_text("\n".join(lines) + "\n")
    small = workspace.write_pipeline("head.yaml", {"path: etrm_trades.jsonl": "path: head.jsonl"},
                                     base="jsonl_pipeline.yaml")
    assert "delivery.incoterm" not in workspace.run_pipeline(small).stderr
