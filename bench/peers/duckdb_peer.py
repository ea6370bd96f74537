"""The benchmark's DuckDB peer: the same mapping and validation as the tradeflow benchmark
pipeline, in SQL, written with COPY ... TO parquet.

read_csv (every column as text, so that parsing is the mapping's job), typed values with
TRY_CAST (a value that does not parse is a mapping error, as in tradeflow), enum maps as CASE,
every built-in rule this mapping can trip as a list of failed rule ids (LEI check digits once
per distinct LEI), reference data from examples/ref, unique_version by row_number() among the otherwise valid rows. DuckDB uses all
cores (its default).

    duckdb_peer.py INPUT.csv OUTDIR [--schema trade_events.arrows]

With --schema (an Arrow IPC schema, from bench/run.py), the accepted rows are written in the
table's canonical nested layout, built in SQL (bench/peers/canonical.py); without it, as flat
columns.
prints one JSON line: {"engine": "duckdb", "rows": ..., "accepted": ..., "quarantined": ...}
"""
import json
import os
import sys
import time

import duckdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canonical  # noqa: E402
import common as c  # noqa: E402


def case_map(col, mapping, labels=None):
    whens = " ".join(f"WHEN {col} = '{k}' THEN '{v}'" for k, v in mapping.items())
    if labels:
        lab = ", ".join(f"'{x}'" for x in sorted(labels))
        whens += f" WHEN upper({col}) IN ({lab}) THEN upper({col})"
    return f"CASE {whens} END"


def unknown(col, label_expr):
    return f"({col} <> '' AND {label_expr} IS NULL)"


def sql_list(values):
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def price_columns(kind, when):
    """SQL: leg 1's price columns for one kind of terms (fixed or physical), set when `when`."""
    return (f"CASE WHEN {when} THEN px END AS leg1_{kind}_price, "
            f"CASE WHEN {when} THEN price_currency ELSE '' END AS leg1_{kind}_price_currency, "
            f"CASE WHEN {when} THEN price_unit ELSE '' END AS leg1_{kind}_price_per_unit, "
            f"CASE WHEN {when} THEN 'FIXED' END AS leg1_{kind}_price_type, "
            f"CASE WHEN {when} THEN CAST(1 AS INTEGER) END AS leg1_{kind}_price_minor_scale")


def main(path, outdir, schema=None):
    t0 = time.perf_counter()
    os.makedirs(outdir, exist_ok=True)
    con = duckdb.connect()
    ref = c.reference()
    for name, keys in ref.items():
        con.execute(f"CREATE TABLE ref_{name} AS SELECT unnest([{sql_list(keys)}]) AS k")
    # ISO 7064 MOD 97-10 over the digits of an LEI (letters as 10..35), in three pieces so
    # that no piece exceeds HUGEINT.
    con.execute("""
      CREATE MACRO lei_digits(s) AS array_to_string(list_transform(string_split(s, ''),
          lambda ch: CASE WHEN ch BETWEEN '0' AND '9' THEN ch ELSE CAST(ascii(ch) - 55 AS VARCHAR) END), '');
      CREATE MACRO mod97_3(d) AS CAST(
          CAST(CAST(CAST(substr(d, 1, 18) AS HUGEINT) % 97 AS VARCHAR) || substr(d, 19, 18) AS HUGEINT) % 97
          AS VARCHAR) || substr(d, 37);
      CREATE MACRO lei_ok(s) AS CAST(CASE WHEN length(mod97_3(lei_digits(s))) > 0
          THEN CAST(mod97_3(lei_digits(s)) AS HUGEINT) % 97 END AS INTEGER) = 1;
    """)
    action = case_map("tran_status", c.ACTION, c.LABELS["action"])
    side = case_map("buy_sell", c.SIDE, c.LABELS["direction"])
    asset = case_map("asset_class", c.ASSET_CLASS, c.LABELS["asset_class"])
    instr = case_map("toolset", c.INSTRUMENT, c.LABELS["instrument_type"])
    settle = case_map("settlement", c.SETTLEMENT, c.LABELS["settlement"])
    freq = case_map("quantity_frequency", c.FREQUENCY, c.LABELS["frequency"])
    putcall = case_map("put_call", c.PUT_CALL, c.LABELS["put_call"])
    neg_ok = sql_list(c.NEGATIVE_PRICE_ALLOWED_FOR)
    dec6 = "DECIMAL(38,6)"
    dec10 = "DECIMAL(38,10)"
    src = path.replace("'", "''")

    def d(col, t):  # typed, or NULL when empty
        return f"TRY_CAST(NULLIF({col}, '') AS {t})"

    def bad(col, t):  # non-empty and not parseable: a mapping error
        return f"({col} <> '' AND TRY_CAST({col} AS {t}) IS NULL)"

    con.execute(f"""
    CREATE TEMP TABLE mapped AS
    WITH src AS MATERIALIZED (
      SELECT coalesce(COLUMNS(*), ''), row_number() OVER () + 1 AS source_line
      FROM read_csv('{src}', header = true, all_varchar = true, quote = '"', escape = '"')
    ), leis AS (  -- the check digits once per distinct LEI, not once per row
      SELECT lei, regexp_full_match(lei, '[A-Z0-9]{{18}}[0-9]{{2}}') AS wf,
             regexp_full_match(lei, '[A-Z0-9]{{18}}[0-9]{{2}}') AND lei_ok(lei) AS ok
      FROM (SELECT internal_lei AS lei FROM src UNION SELECT cpty_lei FROM src)
    ), typed AS (
      SELECT src.*, li.wf AS ilei_wf, li.ok AS ilei_ok, lc.wf AS clei_wf, lc.ok AS clei_ok,
        {action} AS action_l, {side} AS side_l, {asset} AS asset_l, {instr} AS instr_l,
        {settle} AS settle_l, {freq} AS freq_l,
        CASE WHEN toolset = 'Option' THEN {putcall} END AS putcall_l,
        {d('version', 'BIGINT')} AS v,
        {d('trade_date', 'DATE')} AS td,
        {d('exec_time', 'TIMESTAMPTZ')} AS et,
        {d('quantity', dec6)} AS q, {d('lots', dec6)} AS lt, {d('contract_size', dec6)} AS cs,
        {d('price', dec10)} AS px, {d('strike', dec10)} AS sk, {d('premium', dec10)} AS pm,
        {d('float_spread', dec10)} AS spread, {d('broker_fee', dec10)} AS fee,
        {d('delivery_start', 'DATE')} AS ds, {d('delivery_end', 'DATE')} AS de,
        {d('expiry_date', 'DATE')} AS ex,
        toolset IN ('Future', 'Option') AS listed,
        toolset IN ('Future', 'Swap', 'PhysForward') AS priced,
        (lower(commodity_group) IN ({neg_ok}) OR lower(commodity) IN ({neg_ok})) AS neg_ok
      FROM src LEFT JOIN leis li ON li.lei = src.internal_lei
               LEFT JOIN leis lc ON lc.lei = src.cpty_lei
    ), checked AS (
      SELECT *, list_filter([
        CASE WHEN {bad('version', 'BIGINT')} OR {bad('trade_date', 'DATE')}
           OR {bad('exec_time', 'TIMESTAMPTZ')} OR {bad('quantity', dec6)}
           OR {bad('lots', dec6)} OR {bad('contract_size', dec6)} OR {bad('price', dec10)}
           OR {bad('strike', dec10)} OR {bad('premium', dec10)} OR {bad('float_spread', dec10)}
           OR {bad('broker_fee', dec10)} OR {bad('delivery_start', 'DATE')}
           OR {bad('delivery_end', 'DATE')} OR {bad('expiry_date', 'DATE')}
           THEN 'mapping_error' END,
        CASE WHEN deal_num = '' THEN 'required_identity' END,
        CASE WHEN coalesce(v, 0) <= 0 THEN 'positive_source_version' END,
        CASE WHEN action_l IS NULL THEN 'required_action' END,
        CASE WHEN td IS NULL THEN 'required_trade_date' END,
        CASE WHEN side_l IS NULL THEN 'required_direction' END,
        CASE WHEN book = '' THEN 'required_book' END,
        CASE WHEN (listed AND exchange = '') OR (NOT listed AND cpty_id = '')
             THEN 'required_counterparty_or_exchange' END,
        CASE WHEN commodity = '' THEN 'required_commodity' END,
        CASE WHEN instr_l IS NULL THEN 'required_instrument_type' END,
        CASE WHEN q IS NULL OR quantity_unit = '' THEN 'required_quantity' END,
        CASE WHEN NOT ((priced AND px IS NOT NULL AND price_currency <> ''
                        AND (toolset <> 'Swap' OR float_index <> ''))
                       OR (toolset = 'Option' AND sk IS NOT NULL AND pm IS NOT NULL))
             THEN 'required_price' END,
        CASE WHEN q <= 0 THEN 'positive_quantity' END,
        CASE WHEN NOT neg_ok AND ((priced AND px <= 0) OR (toolset = 'Option' AND sk <= 0))
             THEN 'positive_price' END,
        CASE WHEN toolset = 'Option' AND pm <= 0 THEN 'positive_premium' END,
        CASE WHEN toolset = 'PhysForward' AND (td > ds OR ds > de) THEN 'delivery_dates_order' END,
        CASE WHEN toolset = 'Swap' AND ds > de THEN 'pricing_period_order' END,
        CASE WHEN toolset = 'Option' AND ex < td THEN 'option_expiry_after_trade_date' END,
        CASE WHEN et > now() THEN 'execution_time_not_future' END,
        CASE WHEN abs(lt * cs - q) > 0.0000005 THEN 'lots_times_contract_size' END,
        CASE WHEN toolset = 'Option' AND (putcall_l IS NULL OR sk IS NULL OR ex IS NULL)
             THEN 'option_terms_complete' END,
        CASE WHEN {unknown('tran_status', 'action_l')} OR {unknown('buy_sell', 'side_l')}
               OR {unknown('asset_class', 'asset_l')} OR {unknown('toolset', 'instr_l')}
               OR {unknown('settlement', 'settle_l')} OR {unknown('quantity_frequency', 'freq_l')}
               OR (toolset = 'Option' AND {unknown('put_call', 'putcall_l')})
             THEN 'known_enum_values' END,
        CASE WHEN cpty_id <> '' AND cpty_id NOT IN (SELECT k FROM ref_counterparties)
             THEN 'known_counterparty' END,
        CASE WHEN book <> '' AND book NOT IN (SELECT k FROM ref_books) THEN 'known_book' END,
        CASE WHEN commodity <> '' AND commodity NOT IN (SELECT k FROM ref_products)
             THEN 'known_product' END,
        CASE WHEN listed AND exchange || ':' || product_code NOT IN (SELECT k FROM ref_contracts)
             THEN 'known_listed_contract' END,
        CASE WHEN (internal_lei <> '' AND NOT ilei_wf) OR (cpty_lei <> '' AND NOT clei_wf)
             THEN 'lei_format' END,
        CASE WHEN (ilei_wf AND NOT ilei_ok) OR (clei_wf AND NOT clei_ok)
             THEN 'lei_check_digits' END
      ], lambda x: x IS NOT NULL) AS failures
      FROM typed
    )
    SELECT *,
      CASE WHEN len(failures) = 0 AND row_number() OVER (
             PARTITION BY deal_num, v, len(failures) = 0 ORDER BY source_line) > 1
           THEN list_append(failures, 'unique_version') ELSE failures END AS all_failures
    FROM checked
    """)
    a_path = os.path.join(outdir, "trade_events.parquet")
    q_path = os.path.join(outdir, "quarantine.parquet")
    prov = c.provenance(path)
    con.execute(f"""
    CREATE TEMP VIEW accepted AS
      SELECT '{c.SOURCE_SYSTEM}' AS source_system, deal_num AS source_trade_id,
        '{c.SOURCE_SYSTEM}:' || deal_num AS trade_uid, 'deal_tracking_num' AS source_trade_id_scheme,
        v AS source_version, tran_num AS source_record_id, action_l AS action,
        tran_status AS status_raw, buy_sell AS side_raw, asset_class AS asset_class_raw,
        toolset AS toolset_raw, settlement AS settlement_raw,
        {case_map("commodity", c.product_details())} AS asset_detail,
        {case_map('tran_status', c.EVENT_TYPE)} AS event_type,
        {case_map('tran_status', c.TRADE_STATUS)} AS trade_status,
        CASE WHEN tran_status = 'CANCELLED' THEN 'CANCELLED' END AS closed_reason,
        td AS trade_date, et AS execution_time,
        regexp_extract(exec_time, '([+-]\\d{{2}}:\\d{{2}}|Z)$', 1) AS execution_utc_offset,
        internal_lentity AS internal_legal_entity_name, internal_lei AS internal_legal_entity_lei,
        internal_bunit AS internal_business_unit, book, portfolio, strategy, trader,
        cpty_id AS counterparty_id, cpty_name AS counterparty_name, cpty_lei AS counterparty_lei,
        broker AS broker_name, exchange AS execution_venue, side_l AS direction,
        asset_l AS asset_class, commodity_group AS asset_subclass, commodity,
        instr_l AS instrument_type, settle_l AS settlement_type, exchange, product_code,
        contract_month,
        CAST(1 AS INTEGER) AS leg1_number,
        side_l AS leg1_direction, q AS leg1_quantity, quantity_unit AS leg1_quantity_unit,
        freq_l AS leg1_frequency, quantity_frequency AS leg1_frequency_raw,
        lt AS leg1_lots, cs AS leg1_contract_size,
        CASE WHEN lots <> '' THEN quantity_unit ELSE '' END AS leg1_contract_size_unit,
        {price_columns("fixed", "toolset IN ('Future', 'Swap')")},
        {price_columns("phys", "toolset = 'PhysForward'")},
        CASE WHEN toolset = 'PhysForward' THEN ds END AS leg1_delivery_start,
        CASE WHEN toolset = 'PhysForward' THEN de END AS leg1_delivery_end,
        CASE WHEN toolset = 'PhysForward' THEN delivery_location ELSE '' END AS leg1_delivery_location,
        CASE WHEN toolset = 'PhysForward' THEN incoterm ELSE '' END AS leg1_incoterm,
        putcall_l AS leg1_put_call,
        CASE WHEN toolset = 'Option' THEN put_call ELSE '' END AS leg1_put_call_raw,
        CASE WHEN toolset = 'Option' THEN 'AMERICAN' END AS leg1_exercise_style,
        CASE WHEN toolset = 'Option' THEN price_currency ELSE '' END AS leg1_option_currency,
        CASE WHEN toolset = 'Option' THEN price_unit ELSE '' END AS leg1_option_per_unit,
        CASE WHEN toolset = 'Option' THEN 'PREMIUM' END AS leg1_premium_type,
        CASE WHEN toolset = 'Option' THEN CAST(0 AS INTEGER) END AS leg1_option_minor_scale,
        CASE WHEN toolset = 'Option' THEN false END AS leg1_automatic_exercise,
        CASE WHEN toolset = 'Option' THEN sk END AS leg1_strike, ex AS leg1_expiry_date,
        CASE WHEN toolset = 'Option' THEN pm END AS leg1_premium,
        CASE WHEN toolset = 'Swap' THEN CAST(2 AS INTEGER) END AS leg2_number,
        CASE WHEN toolset = 'Swap' THEN {case_map('buy_sell', c.SIDE_LEG2)} END AS leg2_direction,
        CASE WHEN toolset = 'Swap' THEN buy_sell ELSE '' END AS leg2_direction_raw,
        float_index AS leg2_index_id, spread AS leg2_spread,
        CASE WHEN toolset = 'Swap' THEN price_currency ELSE '' END AS leg2_spread_currency,
        CASE WHEN toolset = 'Swap' THEN ds END AS leg2_pricing_start,
        CASE WHEN toolset = 'Swap' THEN de END AS leg2_pricing_end,
        fee AS fee_amount, fee_currency,
        CASE WHEN broker_fee <> '' THEN 'BROKERAGE' END AS fee_type,
        CASE WHEN broker_fee <> '' THEN 'FLAT' END AS fee_basis,
        uti, comment AS source_attributes_comment, source_line,
        '{prov["mapping_version"]}' AS mapping_version,
        '{prov["raw_payload_uri"].replace("'", "''")}' AS raw_payload_uri,
        '{prov["raw_payload_sha256"]}' AS raw_payload_sha256,
        'line ' || source_line AS source_location,
        TIMESTAMPTZ '{prov["ingested_time"].isoformat()}' AS ingested_time,
        '{prov["run_id"]}' AS run_id
      FROM mapped WHERE len(all_failures) = 0
    """)
    if schema is None:
        accepted = "SELECT * FROM accepted"
    else:
        types = {row[0]: row[1] for row in con.execute("DESCRIBE accepted").fetchall()}
        accepted = f"SELECT {canonical.nest_sql(schema, types)} FROM accepted"
    con.execute(f"COPY ({accepted}) TO '{a_path}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"""
    COPY (SELECT * EXCLUDE (action_l, side_l, asset_l, instr_l, settle_l, freq_l, putcall_l, v,
                            td, et, q, lt, cs, px, sk, pm, spread, fee, ds, de, ex, listed,
                            priced, neg_ok, ilei_wf, ilei_ok, clei_wf, clei_ok, failures),
          FROM mapped WHERE len(all_failures) > 0)
    TO '{q_path}' (FORMAT parquet, COMPRESSION zstd)
    """)
    rows, accepted = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE len(all_failures) = 0) FROM mapped").fetchone()
    by_rule = dict(con.execute(
        "SELECT r, count(*) FROM (SELECT unnest(all_failures) AS r FROM mapped) GROUP BY r"
    ).fetchall())
    c.report("duckdb", rows, accepted, rows - accepted, by_rule, [a_path, q_path])
    print(f"duckdb: {time.perf_counter() - t0:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    args = c.peer_args(__doc__)
    main(args.input, args.outdir, args.schema)
