"""The canonical layout for the peers: where each of their flat mapped columns lands in the
`trade_events` schema that tradeflow writes, and how to nest the flat columns into it, once with
pyarrow (the pandas peer) and once as SQL (the DuckDB peer, so that DuckDB does its own nesting).

Why: the mapping the peers implement is a mapping to the canonical trade model. A peer that
writes a flat file of 40-odd columns does less work than one that writes the table's nested
schema (152 leaf columns, structs in lists, a map), and Parquet cost grows with every leaf. With
the target schema (bench/run.py takes it from a tradeflow run and passes it with --schema), each
peer writes a file with the same leaf columns and types as `trade_events`: the mapped leaves
filled, every other leaf null, lists and the map empty. On the benchmark input their rows equal
tradeflow's in every leaf but two: `legs[].quantity.total` (null: the peers do not compute
per-period totals) and the run's own provenance (run id, ingest time). No quantity or price in
that input needs a unit or minor-currency conversion, so the peers copy those values as given.

Nesting rules, the same in both implementations:
  - a leaf is the flat column named in CANONICAL, cast to the schema's type (an empty string is
    null, as tradeflow stores an empty text field), or null when no column is mapped to it;
  - a struct is present when any mapped leaf below it is not null;
  - list element k (path `name[k]`) is in the list when its struct is present, in order of k;
  - a map has one entry per mapped key (path `name{key}`) whose value is not null.
"""
import pyarrow as pa
import pyarrow.compute as pc

# numpy is imported where the pyarrow nesting needs it: the DuckDB peer, and the tests that run
# it, must not need it (the project's test environment has no numpy; bench/requirements.txt
# brings it with pandas).

# canonical leaf path -> the peers' flat column. Both peers produce every column named here.
CANONICAL = {
    "trade_uid": "trade_uid",
    "source_system": "source_system",
    "source_trade_id": "source_trade_id",
    "source_trade_id_scheme": "source_trade_id_scheme",
    "source_version": "source_version",
    "source_record_id": "source_record_id",
    "action": "action",
    "action_raw": "status_raw",
    "event_type": "event_type",
    "event_type_raw": "status_raw",
    "trade_status": "trade_status",
    "trade_status_raw": "status_raw",
    "closed_reason": "closed_reason",
    "closed_reason_raw": "closed_reason",
    "trade_date": "trade_date",
    "execution_time": "execution_time",
    "execution_utc_offset": "execution_utc_offset",
    "parties.internal_legal_entity.name": "internal_legal_entity_name",
    "parties.internal_legal_entity.lei": "internal_legal_entity_lei",
    "parties.internal_business_unit": "internal_business_unit",
    "parties.book": "book",
    "parties.portfolio": "portfolio",
    "parties.strategy": "strategy",
    "parties.trader": "trader",
    "parties.counterparty.id": "counterparty_id",
    "parties.counterparty.name": "counterparty_name",
    "parties.counterparty.lei": "counterparty_lei",
    "parties.broker.name": "broker_name",
    "parties.execution_venue": "execution_venue",
    "direction": "direction",
    "direction_raw": "side_raw",
    "product.asset_class": "asset_class",
    "product.asset_class_raw": "asset_class_raw",
    "product.asset_subclass": "asset_subclass",
    "product.asset_detail": "asset_detail",
    "product.instrument_type": "instrument_type",
    "product.instrument_type_raw": "toolset_raw",
    "product.settlement_type": "settlement_type",
    "product.settlement_type_raw": "settlement_raw",
    "product.commodity": "commodity",
    "product.exchange": "exchange",
    "product.product_code": "product_code",
    "product.contract_month": "contract_month",
    "legs[0].leg_number": "leg1_number",
    "legs[0].direction": "leg1_direction",
    "legs[0].direction_raw": "side_raw",
    "legs[0].quantity.value": "leg1_quantity",
    "legs[0].quantity.unit": "leg1_quantity_unit",
    "legs[0].quantity.frequency": "leg1_frequency",
    "legs[0].quantity.frequency_raw": "leg1_frequency_raw",
    "legs[0].quantity.lots": "leg1_lots",
    "legs[0].quantity.contract_size": "leg1_contract_size",
    "legs[0].quantity.contract_size_unit": "leg1_contract_size_unit",
    "legs[0].quantity.reported_value": "leg1_quantity",
    "legs[0].quantity.reported_unit": "leg1_quantity_unit",
    "legs[0].fixed.price.value": "leg1_fixed_price",
    "legs[0].fixed.price.currency": "leg1_fixed_price_currency",
    "legs[0].fixed.price.per_unit": "leg1_fixed_price_per_unit",
    "legs[0].fixed.price.currency_minor_scale": "leg1_fixed_price_minor_scale",
    "legs[0].fixed.price.type": "leg1_fixed_price_type",
    "legs[0].fixed.price.type_raw": "leg1_fixed_price_type",
    "legs[0].physical.price.value": "leg1_phys_price",
    "legs[0].physical.price.currency": "leg1_phys_price_currency",
    "legs[0].physical.price.per_unit": "leg1_phys_price_per_unit",
    "legs[0].physical.price.currency_minor_scale": "leg1_phys_price_minor_scale",
    "legs[0].physical.price.type": "leg1_phys_price_type",
    "legs[0].physical.price.type_raw": "leg1_phys_price_type",
    "legs[0].physical.delivery.start_date": "leg1_delivery_start",
    "legs[0].physical.delivery.end_date": "leg1_delivery_end",
    "legs[0].physical.delivery.location.code": "leg1_delivery_location",
    "legs[0].physical.delivery.incoterm": "leg1_incoterm",
    "legs[0].physical.delivery.incoterm_raw": "leg1_incoterm",
    "legs[0].option.put_call": "leg1_put_call",
    "legs[0].option.put_call_raw": "leg1_put_call_raw",
    "legs[0].option.exercise_style": "leg1_exercise_style",
    "legs[0].option.exercise_style_raw": "leg1_exercise_style",
    "legs[0].option.strike.value": "leg1_strike",
    "legs[0].option.strike.currency": "leg1_option_currency",
    "legs[0].option.strike.per_unit": "leg1_option_per_unit",
    "legs[0].option.strike.currency_minor_scale": "leg1_option_minor_scale",
    "legs[0].option.automatic_exercise": "leg1_automatic_exercise",
    "legs[0].option.expiry_date": "leg1_expiry_date",
    "legs[0].option.premium.value": "leg1_premium",
    "legs[0].option.premium.currency": "leg1_option_currency",
    "legs[0].option.premium.per_unit": "leg1_option_per_unit",
    "legs[0].option.premium.currency_minor_scale": "leg1_option_minor_scale",
    "legs[0].option.premium.type": "leg1_premium_type",
    "legs[0].option.premium.type_raw": "leg1_premium_type",
    "legs[1].leg_number": "leg2_number",
    "legs[1].direction": "leg2_direction",
    "legs[1].direction_raw": "leg2_direction_raw",
    "legs[1].floating.index_id": "leg2_index_id",
    "legs[1].floating.spread": "leg2_spread",
    "legs[1].floating.spread_currency": "leg2_spread_currency",
    "legs[1].floating.pricing_start": "leg2_pricing_start",
    "legs[1].floating.pricing_end": "leg2_pricing_end",
    "fees[0].type": "fee_type",
    "fees[0].type_raw": "fee_type",
    "fees[0].amount": "fee_amount",
    "fees[0].currency": "fee_currency",
    "fees[0].basis": "fee_basis",
    "regulatory_ids.uti": "uti",
    "provenance.mapping_version": "mapping_version",
    "provenance.raw_payload_uri": "raw_payload_uri",
    "provenance.raw_payload_sha256": "raw_payload_sha256",
    "provenance.source_location": "source_location",
    "provenance.ingested_time": "ingested_time",
    "provenance.run_id": "run_id",
    "source_attributes{comment}": "source_attributes_comment",
}


def _mapped_below(prefix):
    """The flat columns mapped to leaves at or below `prefix` (a struct, element or leaf)."""
    return sorted({col for path, col in CANONICAL.items()
                   if path == prefix or path.startswith(prefix + ".")})


def _indexed(prefix, open_, close):
    """The indexes or keys k of the paths `prefix[k]...` (lists) or `prefix{k}` (maps)."""
    keys = []
    for path in CANONICAL:
        if path.startswith(prefix + open_):
            k = path[len(prefix) + 1:path.index(close, len(prefix))]
            if k not in keys:
                keys.append(k)
    return keys


# ---- pyarrow ---------------------------------------------------------------------------------

def _leaf(table, col, typ):
    arr = table.column(col).combine_chunks()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return arr.cast(typ)


def _present(table, cols):
    """Rows where any of the flat columns is not null (and not an empty string)."""
    import numpy as np
    mask = np.zeros(table.num_rows, dtype=bool)
    for col in cols:
        arr = table.column(col).combine_chunks()
        valid = pc.is_valid(arr)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            valid = pc.fill_null(pc.and_kleene(valid, pc.not_equal(arr, "")), False)
        mask |= valid.to_numpy(zero_copy_only=False)
    return mask


def _build(table, typ, prefix):
    import numpy as np
    n = table.num_rows
    if pa.types.is_struct(typ):
        cols = _mapped_below(prefix)
        if not cols:
            return pa.nulls(n, typ)
        children = [_build(table, f.type, f"{prefix}.{f.name}" if prefix else f.name)
                    for f in typ]
        return pa.StructArray.from_arrays(children, fields=list(typ),
                                          mask=pa.array(~_present(table, cols)))
    if pa.types.is_list(typ):
        ks = _indexed(prefix, "[", "]")
        if not ks:
            return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)),
                                            pa.nulls(0, typ.value_type), type=typ)
        elements = [_build(table, typ.value_type, f"{prefix}[{k}]") for k in ks]
        exists = np.stack([e.is_valid().to_numpy(zero_copy_only=False) for e in elements], axis=1)
        index = np.arange(n)[:, None] + n * np.arange(len(ks))[None, :]
        offsets = np.zeros(n + 1, np.int32)
        np.cumsum(exists.sum(axis=1), out=offsets[1:])
        values = pa.concat_arrays(elements).take(pa.array(index[exists]))
        return pa.ListArray.from_arrays(pa.array(offsets), values, type=typ)
    if pa.types.is_map(typ):
        keys = _indexed(prefix, "{", "}")
        items = [_build(table, typ.item_type, f"{prefix}{{{k}}}") for k in keys]
        exists = np.stack([i.is_valid().to_numpy(zero_copy_only=False) for i in items], axis=1) \
            if items else np.zeros((n, 0), bool)
        offsets = np.zeros(n + 1, np.int32)
        np.cumsum(exists.sum(axis=1), out=offsets[1:])
        index = np.arange(n)[:, None] + n * np.arange(len(keys))[None, :]
        key_values = pa.array(np.repeat(np.array(keys, dtype=object)[None, :], n, axis=0)[exists],
                              typ.key_type)
        item_values = (pa.concat_arrays(items).take(pa.array(index[exists])) if items
                       else pa.nulls(0, typ.item_type))
        return pa.MapArray.from_arrays(pa.array(offsets), key_values, item_values, type=typ)
    col = CANONICAL.get(prefix)
    return _leaf(table, col, typ) if col else pa.nulls(n, typ)


def nest_arrow(flat, schema):
    """The flat table's mapped columns as a table of `schema` (field metadata dropped)."""
    schema = pa.schema([f.remove_metadata() for f in schema])
    columns = [_build(flat, f.type, f.name) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


# ---- SQL (DuckDB) ----------------------------------------------------------------------------

def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def sql_type(typ):
    if pa.types.is_string(typ):
        return "VARCHAR"
    if pa.types.is_int32(typ):
        return "INTEGER"
    if pa.types.is_int64(typ):
        return "BIGINT"
    if pa.types.is_boolean(typ):
        return "BOOLEAN"
    if pa.types.is_decimal(typ):
        return f"DECIMAL({typ.precision},{typ.scale})"
    if pa.types.is_date32(typ):
        return "DATE"
    if pa.types.is_timestamp(typ):
        return "TIMESTAMPTZ" if typ.tz else "TIMESTAMP"
    if pa.types.is_struct(typ):
        return "STRUCT(" + ", ".join(f"{_quote(f.name)} {sql_type(f.type)}" for f in typ) + ")"
    if pa.types.is_list(typ):
        return sql_type(typ.value_type) + "[]"
    if pa.types.is_map(typ):
        return f"MAP({sql_type(typ.key_type)}, {sql_type(typ.item_type)})"
    raise ValueError(f"no SQL type for {typ}")


def _sql_present(cols, types):
    """SQL: any of the flat columns is not null (and not an empty string)."""
    terms = [f"(NULLIF({c}, '') IS NOT NULL)" if types[c] == "VARCHAR" else f"({c} IS NOT NULL)"
             for c in cols]
    return " OR ".join(terms)


def _sql(typ, prefix, types):
    if pa.types.is_struct(typ):
        cols = _mapped_below(prefix)
        if not cols:
            return f"CAST(NULL AS {sql_type(typ)})"
        fields = ", ".join(
            f"{_quote(f.name)} := {_sql(f.type, f'{prefix}.{f.name}' if prefix else f.name, types)}"
            for f in typ)
        return f"CASE WHEN {_sql_present(cols, types)} THEN struct_pack({fields}) END"
    if pa.types.is_list(typ):
        ks = _indexed(prefix, "[", "]")
        if not ks:
            return f"CAST([] AS {sql_type(typ)})"
        elements = ", ".join(_sql(typ.value_type, f"{prefix}[{k}]", types) for k in ks)
        return f"list_filter([{elements}], lambda x: x IS NOT NULL)"
    if pa.types.is_map(typ):
        keys = _indexed(prefix, "{", "}")
        empty = f"CAST(MAP([], []) AS {sql_type(typ)})"
        if not keys:
            return empty
        (key,) = keys  # one mapped key is all the benchmark needs
        value = _sql(typ.item_type, f"{prefix}{{{key}}}", types)
        return (f"CASE WHEN {value} IS NOT NULL THEN MAP(['{key}'], [{value}]) "
                f"ELSE {empty} END")
    col = CANONICAL.get(prefix)
    t = sql_type(typ)
    if not col:
        return f"CAST(NULL AS {t})"
    value = f"NULLIF({col}, '')" if types[col] == "VARCHAR" else col
    return f"CAST({value} AS {t})"


def nest_sql(schema, types):
    """A SELECT list that builds `schema` from the flat columns; `types`: flat column -> its
    DuckDB type name (VARCHAR columns have '' for absent)."""
    return ",\n  ".join(f"{_sql(f.type, f.name, types)} AS {_quote(f.name)}" for f in schema)


def leaf_types(schema):
    """Leaf path -> type name: what two files must share to hold the same layout."""
    out = {}

    def walk(typ, path):
        if pa.types.is_struct(typ):
            for f in typ:
                walk(f.type, f"{path}.{f.name}")
        elif pa.types.is_list(typ) or pa.types.is_large_list(typ):
            walk(typ.value_type, path + "[]")
        elif pa.types.is_map(typ):
            walk(typ.key_type, path + "{key}")
            walk(typ.item_type, path + "{value}")
        else:
            out[path] = str(typ)

    for f in schema:
        walk(f.type, f.name)
    return out
