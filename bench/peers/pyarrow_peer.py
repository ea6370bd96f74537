"""The benchmark's upper bound: pyarrow's plain CSV -> Parquet conversion, no mapping and no
validation (pyarrow.csv.read_csv with type inference, then pyarrow.parquet.write_table). It
uses all cores, as pyarrow does by default.

    pyarrow_peer.py INPUT.csv OUTDIR
prints one JSON line: {"engine": "pyarrow", "rows": ..., "accepted": rows, "quarantined": 0}
"""
import os
import sys
import time

import pyarrow.csv as pv
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402


def main(path, outdir):
    t0 = time.perf_counter()
    os.makedirs(outdir, exist_ok=True)
    table = pv.read_csv(path)
    out = os.path.join(outdir, "trades.parquet")
    pq.write_table(table, out, compression="zstd")
    c.report("pyarrow", table.num_rows, table.num_rows, 0, {}, [out])
    print(f"pyarrow: {time.perf_counter() - t0:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
