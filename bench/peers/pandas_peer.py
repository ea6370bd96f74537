"""The benchmark's pandas peer: what a Python (Dagster-style) op would do with the ETRM export.

Reads the CSV with pandas, applies the mapping of bench/pipelines/bench_csv.yaml (typed dates,
UTC timestamps from the written offsets, exact decimals as pyarrow decimal128 through pandas'
ArrowDtype, enum maps), runs the same validation rules as the tradeflow pipeline (every
built-in rule this mapping can trip, reference data from examples/ref), splits accepted from
quarantined rows and writes both as Parquet with pyarrow. Vectorised throughout: no Python loop
per row except the LEI check digits, which are computed once per distinct LEI.

    pandas_peer.py INPUT.csv OUTDIR [--schema trade_events.arrows]

With --schema (an Arrow IPC schema, from bench/run.py), the accepted rows are written in the
table's canonical nested layout (bench/peers/canonical.py); without it, as flat columns.
prints one JSON line: {"engine": "pandas", "rows": ..., "accepted": ..., "quarantined": ...}
"""
from decimal import Decimal
import os
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canonical  # noqa: E402
import common as c  # noqa: E402

QTY = pa.decimal128(38, 6)
PRICE = pa.decimal128(38, 10)
DEC6 = r"^-?\d{1,32}(\.\d{1,6})?$"
DEC10 = r"^-?\d{1,28}(\.\d{1,10})?$"


def enum(col, mapping, labels):
    """Mapped label (or missing), and a mask of non-empty values that map to nothing."""
    label = col.map(mapping)
    upper = col.str.upper()
    direct = upper.where(upper.isin(labels))
    label = label.fillna(direct)
    unknown = label.isna() & (col != "")
    return label, unknown


def decimal(col, pattern, dtype, failures, name):
    """Exact decimal column (ArrowDtype decimal128); unparseable values are mapping errors."""
    ok = col.str.fullmatch(pattern)
    bad = (col != "") & ~ok
    failures.append(("mapping_error", bad))
    text = col.where(ok & (col != ""), None)
    return text.astype(pd.ArrowDtype(pa.string())).astype(pd.ArrowDtype(dtype))


def date(col, failures):
    parsed = pd.to_datetime(col.where(col != "", None), format="%Y-%m-%d", errors="coerce")
    failures.append(("mapping_error", (col != "") & parsed.isna()))
    return parsed


def main(path, outdir, schema=None):
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    n = len(df)
    failures = []  # (rule, boolean mask)

    # ---- mapping -------------------------------------------------------------------------
    out = pd.DataFrame(index=df.index)
    out["source_system"] = c.SOURCE_SYSTEM
    out["source_trade_id"] = df["deal_num"]
    out["trade_uid"] = c.SOURCE_SYSTEM + ":" + df["deal_num"]
    out["source_trade_id_scheme"] = "deal_tracking_num"
    version = pd.to_numeric(df["version"].where(df["version"] != "", "0"), errors="coerce")
    failures.append(("mapping_error", version.isna()))
    out["source_version"] = version.fillna(0).astype("int64")
    out["source_record_id"] = df["tran_num"]
    status = df["tran_status"]
    out["status_raw"] = status
    out["action"], unk_action = enum(status, c.ACTION, c.LABELS["action"])
    out["event_type"] = status.map(c.EVENT_TYPE)
    out["trade_status"] = status.map(c.TRADE_STATUS)
    out["closed_reason"] = np.where(status == "CANCELLED", "CANCELLED", None)
    out["trade_date"] = date(df["trade_date"], failures)
    exec_text = df["exec_time"]
    exec_time = pd.to_datetime(exec_text.where(exec_text != "", None), format="ISO8601",
                               utc=True, errors="coerce")
    failures.append(("mapping_error", (exec_text != "") & exec_time.isna()))
    out["execution_time"] = exec_time
    offset = exec_text.str.extract(r"([+-]\d{2}:\d{2}|Z)$", expand=False)
    out["execution_utc_offset"] = offset.fillna("")
    for target, col in [("internal_legal_entity_name", "internal_lentity"),
                        ("internal_legal_entity_lei", "internal_lei"),
                        ("internal_business_unit", "internal_bunit"), ("book", "book"),
                        ("portfolio", "portfolio"), ("strategy", "strategy"),
                        ("trader", "trader"), ("counterparty_id", "cpty_id"),
                        ("counterparty_name", "cpty_name"), ("counterparty_lei", "cpty_lei"),
                        ("broker_name", "broker"), ("execution_venue", "exchange"),
                        ("asset_subclass", "commodity_group"), ("commodity", "commodity"),
                        ("exchange", "exchange"), ("product_code", "product_code"),
                        ("contract_month", "contract_month"), ("uti", "uti")]:
        out[target] = df[col]
    toolset = df["toolset"]
    out["direction"], unk_side = enum(df["buy_sell"], c.SIDE, c.LABELS["direction"])
    out["side_raw"] = df["buy_sell"]
    out["asset_class"], unk_ac = enum(df["asset_class"], c.ASSET_CLASS, c.LABELS["asset_class"])
    out["asset_class_raw"] = df["asset_class"]
    out["instrument_type"], unk_it = enum(toolset, c.INSTRUMENT, c.LABELS["instrument_type"])
    out["toolset_raw"] = toolset
    out["settlement_type"], unk_st = enum(df["settlement"], c.SETTLEMENT, c.LABELS["settlement"])
    out["settlement_raw"] = df["settlement"]
    out["asset_detail"] = df["commodity"].map(c.product_details())
    is_future = toolset == "Future"
    is_option = toolset == "Option"
    is_swap = toolset == "Swap"
    is_phys = toolset == "PhysForward"
    fixed = is_future | is_swap

    # leg 1
    out["leg1_number"] = np.int32(1)
    out["leg1_direction"] = out["direction"]
    qty = decimal(df["quantity"], DEC6, QTY, failures, "quantity")
    lots = decimal(df["lots"], DEC6, QTY, failures, "lots")
    csize = decimal(df["contract_size"], DEC6, QTY, failures, "contract_size")
    out["leg1_quantity"] = qty
    out["leg1_quantity_unit"] = df["quantity_unit"]
    out["leg1_frequency"], unk_fq = enum(df["quantity_frequency"], c.FREQUENCY,
                                         c.LABELS["frequency"])
    out["leg1_frequency_raw"] = df["quantity_frequency"]
    out["leg1_lots"] = lots
    out["leg1_contract_size"] = csize
    out["leg1_contract_size_unit"] = df["quantity_unit"].where(df["lots"] != "", "")
    price = decimal(df["price"], DEC10, PRICE, failures, "price")
    priced = fixed | is_phys
    for kind, when in (("fixed", fixed), ("phys", is_phys)):
        out[f"leg1_{kind}_price"] = price.where(when)
        out[f"leg1_{kind}_price_minor_scale"] = pd.Series(np.int32(1), index=df.index).where(when)
        out[f"leg1_{kind}_price_currency"] = df["price_currency"].where(when, "")
        out[f"leg1_{kind}_price_per_unit"] = df["price_unit"].where(when, "")
        out[f"leg1_{kind}_price_type"] = np.where(when, "FIXED", None)
    delivery_start = date(df["delivery_start"], failures)
    delivery_end = date(df["delivery_end"], failures)
    out["leg1_delivery_start"] = delivery_start.where(is_phys)
    out["leg1_delivery_end"] = delivery_end.where(is_phys)
    out["leg1_delivery_location"] = df["delivery_location"].where(is_phys, "")
    out["leg1_incoterm"] = df["incoterm"].where(is_phys, "")
    put_call, unk_pc = enum(df["put_call"].where(is_option, ""), c.PUT_CALL, c.LABELS["put_call"])
    out["leg1_put_call"] = put_call
    out["leg1_put_call_raw"] = df["put_call"].where(is_option, "")
    out["leg1_exercise_style"] = np.where(is_option, "AMERICAN", None)
    out["leg1_option_currency"] = df["price_currency"].where(is_option, "")
    out["leg1_option_per_unit"] = df["price_unit"].where(is_option, "")
    out["leg1_premium_type"] = np.where(is_option, "PREMIUM", None)
    out["leg1_option_minor_scale"] = pd.Series(np.int32(0), index=df.index).where(is_option)
    out["leg1_automatic_exercise"] = pd.Series(False, index=df.index,
                                               dtype="boolean").where(is_option)
    strike = decimal(df["strike"], DEC10, PRICE, failures, "strike")
    premium = decimal(df["premium"], DEC10, PRICE, failures, "premium")
    out["leg1_strike"] = strike.where(is_option)
    out["leg1_expiry_date"] = date(df["expiry_date"], failures)
    out["leg1_premium"] = premium.where(is_option)
    # leg 2 (swaps): the floating leg
    out["leg2_number"] = pd.Series(np.int32(2), index=df.index).where(is_swap)
    out["leg2_direction"] = df["buy_sell"].map(c.SIDE_LEG2).where(is_swap)
    out["leg2_direction_raw"] = df["buy_sell"].where(is_swap, "")
    out["leg2_index_id"] = df["float_index"]
    out["leg2_spread"] = decimal(df["float_spread"], DEC10, PRICE, failures, "float_spread")
    out["leg2_spread_currency"] = df["price_currency"].where(is_swap, "")
    out["leg2_pricing_start"] = delivery_start.where(is_swap)
    out["leg2_pricing_end"] = delivery_end.where(is_swap)
    # fees
    out["fee_amount"] = decimal(df["broker_fee"], DEC10, PRICE, failures, "broker_fee")
    out["fee_currency"] = df["fee_currency"]
    out["fee_type"] = np.where(df["broker_fee"] != "", "BROKERAGE", None)
    out["fee_basis"] = np.where(df["broker_fee"] != "", "FLAT", None)
    out["source_attributes_comment"] = df["comment"]
    out["source_line"] = np.arange(2, n + 2)
    for col, value in c.provenance(path).items():
        out[col] = value
    out["source_location"] = "line " + out["source_line"].astype(str)

    # ---- validation ----------------------------------------------------------------------
    ref = c.reference()
    present = lambda s: s != ""  # noqa: E731
    f = failures
    f.append(("required_identity", ~present(df["deal_num"])))
    f.append(("positive_source_version", out["source_version"] <= 0))
    f.append(("required_action", out["action"].isna()))
    f.append(("required_trade_date", out["trade_date"].isna()))
    f.append(("required_direction", out["direction"].isna()))
    f.append(("required_book", ~present(df["book"])))
    listed = toolset.isin(c.LISTED)
    f.append(("required_counterparty_or_exchange",
              np.where(listed, ~present(df["exchange"]), ~present(df["cpty_id"]))))
    f.append(("required_commodity", ~present(df["commodity"])))
    f.append(("required_instrument_type", out["instrument_type"].isna()))
    f.append(("required_quantity", qty.isna() | ~present(df["quantity_unit"])))
    # Every leg priced: a swap's fixed leg and its floating leg's index both.
    has_price = (priced & price.notna() & present(df["price_currency"]) &
                 (~is_swap | present(df["float_index"]))) | \
        (is_option & strike.notna() & premium.notna())
    f.append(("required_price", ~has_price))
    zero_q = pd.Series(pa.scalar(0, QTY), index=df.index, dtype=pd.ArrowDtype(QTY))
    zero_p = pd.Series(pa.scalar(0, PRICE), index=df.index, dtype=pd.ArrowDtype(PRICE))
    f.append(("positive_quantity", (qty <= zero_q).fillna(False)))
    exempt = df["commodity_group"].str.lower().isin(c.NEGATIVE_PRICE_ALLOWED_FOR) | \
        df["commodity"].str.lower().isin(c.NEGATIVE_PRICE_ALLOWED_FOR)
    bad_price = (priced & (price <= zero_p).fillna(False)) | \
        (is_option & (strike <= zero_p).fillna(False))
    f.append(("positive_price", bad_price & ~exempt))
    f.append(("positive_premium", is_option & (premium <= zero_p).fillna(False)))
    td, ds, de = out["trade_date"], delivery_start, delivery_end
    f.append(("delivery_dates_order", is_phys & ((td > ds) | (ds > de)).fillna(False)))
    f.append(("pricing_period_order", is_swap & (ds > de).fillna(False)))
    f.append(("option_expiry_after_trade_date",
              is_option & (out["leg1_expiry_date"] < td).fillna(False)))
    now = pd.Timestamp.now(tz="UTC")
    f.append(("execution_time_not_future", (exec_time > now).fillna(False)))
    product = (lots.astype(pd.ArrowDtype(pa.decimal128(18, 6))) *
               csize.astype(pd.ArrowDtype(pa.decimal128(18, 6))))
    # Equal within half a unit of the quantity's sixth decimal, as tradeflow's rule.
    difference = (product - qty.astype(pd.ArrowDtype(pa.decimal128(37, 12)))).abs()
    mismatch = (difference > Decimal("0.0000005")).fillna(False)
    f.append(("lots_times_contract_size", mismatch))
    f.append(("option_terms_complete", is_option & (out["leg1_put_call"].isna() |
                                                    strike.isna() |
                                                    out["leg1_expiry_date"].isna())))
    unknown_enum = unk_action | unk_side | unk_ac | unk_it | unk_st | unk_fq | unk_pc
    f.append(("known_enum_values", unknown_enum))
    f.append(("known_counterparty", present(df["cpty_id"]) &
              ~df["cpty_id"].isin(ref["counterparties"])))
    f.append(("known_book", present(df["book"]) & ~df["book"].isin(ref["books"])))
    f.append(("known_product", present(df["commodity"]) &
              ~df["commodity"].isin(ref["products"])))
    contract = df["exchange"] + ":" + df["product_code"]
    f.append(("known_listed_contract", listed & ~contract.isin(ref["contracts"])))
    for col in ("internal_lei", "cpty_lei"):
        lei = df[col]
        wellformed = lei.str.fullmatch(r"[A-Z0-9]{18}[0-9]{2}")
        f.append(("lei_format", present(lei) & ~wellformed))
        distinct = lei[wellformed].unique()
        good = {x for x in distinct if c.lei_check_ok(x)}
        f.append(("lei_check_digits", wellformed & ~lei.isin(good)))

    by_rule = {}
    failed = np.zeros(n, dtype=bool)
    rules = np.empty(n, dtype=object)
    rules[:] = ""
    for rule, mask in f:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            by_rule[rule] = by_rule.get(rule, 0) + int(m.sum())
            rules[m] = rules[m] + rule + ";"
            failed |= m
    # unique_version: among otherwise valid rows, the first (system, trade id, version) wins.
    key = out[["source_trade_id", "source_version"]]
    dup = np.zeros(n, dtype=bool)
    valid_idx = np.flatnonzero(~failed)
    dup[valid_idx] = key.iloc[valid_idx].duplicated(keep="first").to_numpy()
    if dup.any():
        by_rule["unique_version"] = int(dup.sum())
        rules[dup] = rules[dup] + "unique_version;"
        failed |= dup

    accepted = out[~failed]
    quarantined = df[failed].copy()
    quarantined["failures"] = rules[failed]
    quarantined["source_line"] = out["source_line"][failed]

    os.makedirs(outdir, exist_ok=True)
    a_path = os.path.join(outdir, "trade_events.parquet")
    q_path = os.path.join(outdir, "quarantine.parquet")
    table = pa.Table.from_pandas(accepted, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("trade_date"), "trade_date",
                             table.column("trade_date").cast(pa.date32()))
    for col in ("leg1_delivery_start", "leg1_delivery_end", "leg1_expiry_date",
                "leg2_pricing_start", "leg2_pricing_end"):
        table = table.set_column(table.schema.get_field_index(col), col,
                                 table.column(col).cast(pa.date32()))
    if schema is not None:
        table = canonical.nest_arrow(table, schema)
    pq.write_table(table, a_path, compression="zstd")
    pq.write_table(pa.Table.from_pandas(quarantined, preserve_index=False), q_path,
                   compression="zstd")
    c.report("pandas", n, int((~failed).sum()), int(failed.sum()), by_rule, [a_path, q_path])
    print(f"pandas: {time.perf_counter() - t0:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    args = c.peer_args(__doc__)
    main(args.input, args.outdir, args.schema)
