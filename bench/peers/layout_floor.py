"""What the two unavoidable steps of the benchmark cost pyarrow alone: reading the CSV, and
writing the accepted rows in trade_events' own layout. No mapping, no validation: the rows are
tradeflow's, read back from its data files before the clock starts.

    layout_floor.py INPUT.csv TRADE_EVENTS_DATA_DIR OUTDIR

prints one JSON line: {"rows": accepted rows written, "read_wall": s, "read_cpu": s,
"write_wall": s, "write_cpu": s}. CPU seconds are the process's (every thread's) user + sys
time across the step, from time.process_time.

bench/run.py --floor runs it, to show how much of a target's time budget these two steps use up
whatever engine does the mapping in between (bench/RESULTS.md).
"""
import json
import os
import sys
import time

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def trade_events_rows(data_dir):
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(data_dir) for f in fs
                   if f.endswith(".parquet"))
    if not files:
        raise SystemExit(f"no Parquet files under {data_dir}")
    return pa.concat_tables(pq.read_table(f) for f in files).combine_chunks()


def main(csv_path, data_dir, outdir):
    os.makedirs(outdir, exist_ok=True)
    _, read_wall, read_cpu = timed(lambda: pv.read_csv(csv_path))
    rows = trade_events_rows(data_dir)
    out = os.path.join(outdir, "trade_events.parquet")
    # The same codec as tradeflow's files (zstd); pyarrow's default dictionary encoding.
    _, write_wall, write_cpu = timed(lambda: pq.write_table(rows, out, compression="zstd"))
    print(json.dumps({"rows": rows.num_rows, "read_wall": round(read_wall, 3),
                      "read_cpu": round(read_cpu, 3), "write_wall": round(write_wall, 3),
                      "write_cpu": round(write_cpu, 3)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
