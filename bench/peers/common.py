"""What the peers share: the enum maps of bench/pipelines/bench_csv.yaml, the reference keys of
examples/ref, the list of rules, and the one-line JSON result every peer prints for bench/run.py.

The mapping and the rules are those of the tradeflow benchmark pipeline (the mapping of
examples/etrm_pipeline.yaml, every built-in rule of docs/validation.md at its default severity).
Each peer implements them in its own idiom; none of them imports tradeflow.
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REF = os.path.join(REPO, "examples", "ref")

SOURCE_SYSTEM = "ENDUR"

# source value -> canonical label, as in the pipeline's mapping. An unlisted value that equals
# a label (any case) is that label; anything else is an unknown enum value (known_enum_values).
ACTION = {"NEW": "NEW", "AMENDED": "CORRECT", "CANCELLED": "CANCEL"}
EVENT_TYPE = {"NEW": "EXECUTION", "AMENDED": "AMENDMENT", "CANCELLED": "EXECUTION"}
TRADE_STATUS = {"NEW": "LIVE", "AMENDED": "LIVE", "CANCELLED": "CLOSED"}
SIDE = {"Buy": "BUY", "Sell": "SELL"}
SIDE_LEG2 = {"Buy": "SELL", "Sell": "BUY"}
ASSET_CLASS = {"Energy": "ENERGY", "Metals": "METALS", "Ags": "AGRICULTURE"}
INSTRUMENT = {"Future": "FUTURE", "Option": "FUTURE_OPTION", "Swap": "SWAP",
              "PhysForward": "PHYSICAL_FORWARD"}
SETTLEMENT = {"Cash": "CASH", "Physical": "PHYSICAL"}
FREQUENCY = {"Term": "TERM", "Daily": "PER_DAY", "Monthly": "PER_MONTH", "Hourly": "PER_HOUR"}
PUT_CALL = {"Put": "PUT", "Call": "CALL"}

# Labels of each enum that the source could also write directly (case-insensitive).
LABELS = {
    "action": {"NEW", "CORRECT", "CANCEL", "NOVATE", "TERMINATE", "EXERCISE", "EXPIRE"},
    "direction": {"BUY", "SELL"},
    "asset_class": {"ENERGY", "METALS", "AGRICULTURE", "ENVIRONMENTAL", "FREIGHT"},
    "instrument_type": set(INSTRUMENT.values()) | {"OPTION_OTC", "SWAPTION", "SPOT"},
    "settlement": {"CASH", "PHYSICAL"},
    "frequency": set(FREQUENCY.values()),
    "put_call": {"PUT", "CALL"},
}

NEGATIVE_PRICE_ALLOWED_FOR = {"power", "gas"}
LISTED = {"Future", "Option"}

# Every check the peers make, by the id tradeflow reports (docs/validation.md).
RULES = [
    "required_identity", "positive_source_version", "required_action", "required_trade_date",
    "required_direction", "required_book", "required_counterparty_or_exchange",
    "required_commodity", "required_instrument_type", "required_quantity", "required_price",
    "positive_quantity", "positive_price", "positive_premium", "delivery_dates_order",
    "pricing_period_order", "option_expiry_after_trade_date", "execution_time_not_future",
    "lots_times_contract_size", "option_terms_complete", "known_enum_values",
    "known_counterparty", "known_book", "known_product", "known_listed_contract", "lei_format",
    "lei_check_digits", "unique_version", "mapping_error",
]


def load_keys(name, *columns):
    with open(os.path.join(REF, name), newline="") as f:
        return {":".join(row[c] for c in columns) for row in csv.DictReader(f)}


def reference():
    return {
        "counterparties": load_keys("counterparties.csv", "id"),
        "books": load_keys("books.csv", "book"),
        "products": load_keys("products.csv", "commodity"),
        "contracts": load_keys("contracts.csv", "exchange", "product_code"),
    }


def product_details():
    """commodity -> asset_detail, the enrichment tradeflow's normalisation copies in."""
    with open(os.path.join(REF, "products.csv"), newline="") as f:
        return {row["commodity"]: row["asset_detail"] for row in csv.DictReader(f)}


def lei_check_ok(lei):
    """ISO 17442 / ISO 7064 MOD 97-10: letters as 10..35, the whole number is 1 mod 97."""
    r = 0
    for c in lei:
        v = int(c) if c.isdigit() else ord(c) - 55
        r = (r * (100 if v > 9 else 10) + v) % 97
    return r == 1


def report(engine, rows, accepted, quarantined, by_rule, out_files):
    print(json.dumps({"engine": engine, "rows": rows, "accepted": accepted,
                      "quarantined": quarantined, "by_rule": by_rule, "outputs": out_files}))
    sys.stdout.flush()


def peer_args(doc):
    """The command line every mapping peer takes: INPUT OUTDIR [--schema FILE]."""
    import argparse
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("outdir")
    ap.add_argument("--schema", help="Arrow IPC schema of trade_events: write that nested layout")
    args = ap.parse_args()
    if args.schema:
        import pyarrow as pa
        with open(args.schema, "rb") as f:
            args.schema = pa.ipc.read_schema(pa.py_buffer(f.read()))
    return args


def provenance(path):
    """The per-run provenance values tradeflow stores with every trade (constant per file)."""
    import datetime
    import hashlib
    import uuid
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return {"mapping_version": "etrm-export-v1",
            "raw_payload_uri": "file://" + os.path.abspath(path),
            "raw_payload_sha256": sha.hexdigest(),
            "ingested_time": datetime.datetime.now(datetime.timezone.utc),
            "run_id": str(uuid.uuid4())}
