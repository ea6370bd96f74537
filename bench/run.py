#!/usr/bin/env python3
"""tradeflow's CSV -> validated trade_events benchmark, side by side with three peers.

In one run, on the same inputs and machine: generates synthetic ETRM exports of each size
(tradeflow-generate, CSV, with a share of faulty rows), then runs every contender on every size:

  tradeflow   `tradeflow run` of bench/pipelines/bench_csv.yaml (mapping, normalisation,
              built-in validation with examples/ref, Iceberg trade_events + quarantine tables)
  pandas      bench/peers/pandas_peer.py   (same mapping and rules, Parquet via pyarrow)
  duckdb      bench/peers/duckdb_peer.py   (same mapping and rules in SQL, COPY TO parquet)
  pyarrow     bench/peers/pyarrow_peer.py  (plain CSV -> Parquet, no mapping: an upper bound)
  pandas_flat, duckdb_flat   (optional: the same peers writing flat columns instead)
  tradeflow_jsonl, tradeflow_fixml   (optional: tradeflow on the same generator's JSON Lines or
              FIXML export of the same size, with examples/{jsonl,fixml}_pipeline.yaml; no peer)

With --floor, it also measures what the two steps no engine can skip cost pyarrow alone
(bench/peers/layout_floor.py): reading the CSV, and writing tradeflow's accepted rows (read back
from its files first) in trade_events' layout. The report then says how much of the wall time
the pyarrow target allows those two steps take on this machine's cores.

pandas and duckdb write their accepted rows in trade_events' own nested schema (151 leaf
columns: bench/peers/canonical.py), which the runner takes from a small tradeflow run first and
passes with --schema; it then checks that each of their files has the same leaf columns and
types as tradeflow's. The _flat variants write the mapped values as 60-odd flat columns, which
is less work than writing the table's schema; they are kept to show how much.

Each contender is one child process; wall time is measured around it and CPU seconds
(user + sys) and peak RSS come from os.wait4's rusage of that child. The input is read once
before each run so that every contender starts from the page cache. Writes bench/out/results.md
(and results.json): a table, the ratios tradeflow / peer, memory at the largest size / memory at
the smallest, and whether the accepted / quarantined counts of the contenders that implement
the same rules agree.

    .venv/bin/python bench/run.py                          # builds with scripts/build.sh
    .venv/bin/python bench/run.py --tradeflow /tmp/build-bench/bin/tradeflow --sizes 200000,2000000
    .venv/bin/python bench/run.py --tradeflow build/bin/tradeflow --repeat 3   # medians of 3
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
PEERS = os.path.join(BENCH, "peers")
CONTENDERS = ["tradeflow", "pandas", "duckdb", "pyarrow"]
SAME_RULES = ["tradeflow", "pandas", "duckdb", "pandas_flat", "duckdb_flat"]
CANONICAL_PEERS = ["pandas", "duckdb"]
# tradeflow on the other formats: contender -> generator format and example pipeline.
OTHER_FORMATS = {"tradeflow_jsonl": ("jsonl", "jsonl_pipeline.yaml"),
                 "tradeflow_fixml": ("fixml", "fixml_pipeline.yaml")}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def ensure_python_deps(python):
    try:
        subprocess.run([python, "-c", "import pandas, pyarrow, duckdb"], check=True,
                       capture_output=True)
    except subprocess.CalledProcessError:
        print("installing bench/requirements.txt into the project venv", flush=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "-r",
                        os.path.join(BENCH, "requirements.txt")], check=True)


def machine():
    info = {"nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in sh(["lscpu"]).splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "Thread(s) per core", "CPU MHz", "L3 cache"):
                info[key.strip()] = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    return info


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(cmd, cwd=None, log=None):
    """Runs cmd as one child; returns (stdout, stderr, wall s, cpu s, peak RSS MiB)."""
    start = time.perf_counter()
    out_f = open(log + ".out", "w+") if log else subprocess.PIPE
    err_f = open(log + ".err", "w+") if log else subprocess.PIPE
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_f, stderr=err_f, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    out_f.close()
    err_f.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return stdout, stderr, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def tradeflow_pipeline(template, csv_path, workdir):
    text = open(template).read()
    text = re.sub(r"(?m)^  path: .*$", f"  path: {csv_path}", text, count=1)
    text = text.replace("../../examples/", os.path.join(REPO, "examples") + "/")
    text = text.replace("{path: ref/", "{path: " + os.path.join(REPO, "examples", "ref") + "/")
    path = os.path.join(workdir, "pipeline.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def run_one(name, input_path, size, args, outdir):
    work = os.path.join(outdir, "work", f"{name}_{size}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    log = os.path.join(work, "log")
    if name == "tradeflow" or name in OTHER_FORMATS:
        template = (os.path.join(REPO, "examples", OTHER_FORMATS[name][1]) if name in OTHER_FORMATS
                    else os.path.join(BENCH, "pipelines", "bench_csv.yaml"))
        pipeline = tradeflow_pipeline(template, input_path, work)
        stdout, _, wall, cpu, rss = measure([args.tradeflow, "run", pipeline], cwd=work, log=log)
        m = re.search(r"total: read (\d+) = accepted (\d+) \+ quarantined (\d+)", stdout)
        if not m:
            raise RuntimeError("no summary in tradeflow's output:\n" + stdout[-2000:])
        rows, accepted, quarantined = map(int, m.groups())
        by_rule = {r: int(k) for r, k in re.findall(r"quarantined by (\S+): (\d+)", stdout)}
        inner = re.search(r"\((\d+\.\d+)s\)", stdout)
        extra = {"file_seconds": float(inner.group(1)) if inner else None}
    else:
        script = os.path.join(PEERS, f"{name.removesuffix('_flat')}_peer.py")
        cmd = [args.python, script, input_path, work]
        if name in CANONICAL_PEERS:
            cmd += ["--schema", args.schema_path]
        stdout, _, wall, cpu, rss = measure(cmd, log=log)
        res = json.loads(stdout.strip().splitlines()[-1])
        rows, accepted, quarantined, by_rule = (res["rows"], res["accepted"],
                                                res["quarantined"], res["by_rule"])
        extra = {}
        if name in CANONICAL_PEERS:
            extra["same_layout"] = same_layout(res["outputs"][0], args.schema)
    mb = os.path.getsize(input_path) / 1e6
    return {"engine": name, "size": size, "input_mb": round(mb, 1), "rows": rows,
            "accepted": accepted, "quarantined": quarantined, "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3), "peak_rss_mib": round(rss, 1),
            "trades_per_s": round(rows / wall), "mb_per_s": round(mb / wall, 2),
            "by_rule": by_rule, **extra}


def layout_floor(input_path, size, args, outdir):
    """The floor of one size: a tradeflow run (not timed) for its accepted rows, then
    layout_floor.py, which times pyarrow reading the CSV and writing those rows."""
    work = os.path.join(outdir, "work", f"floor_{size}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    pipeline = tradeflow_pipeline(os.path.join(BENCH, "pipelines", "bench_csv.yaml"),
                                  input_path, work)
    sh([args.tradeflow, "run", pipeline], cwd=work)
    data = os.path.join(work, "warehouse", "trading", "trade_events", "data")
    warm(input_path)
    out = sh([args.python, os.path.join(PEERS, "layout_floor.py"), input_path, data,
              os.path.join(work, "out")])
    shutil.rmtree(work, ignore_errors=True)
    return json.loads(out.strip().splitlines()[-1])


def floor_lines(floors, by, nproc):
    """The --floor section of the report: the two steps against the pyarrow target's budget."""
    lines = ["", "## The floor: reading the CSV and writing trade_events' layout, by pyarrow alone",
             "", "pyarrow reads the CSV, then writes tradeflow's accepted rows (read back from its "
             "files before the clock starts) in trade_events' layout, zstd: the two steps any "
             "engine has to take, with no mapping or validation between them. The best wall time "
             f"of the two on {nproc} cores is their CPU seconds ÷ {nproc}; the pyarrow target "
             "allows 2 × plain pyarrow's wall time for the whole run.", "",
             "| rows | CSV read CPU s | layout write CPU s | best wall s on all cores "
             "| wall the pyarrow target allows s | floor's share of it |",
             "|---:|---:|---:|---:|---:|---:|"]
    for size, f in sorted(floors.items()):
        best = (f["read_cpu"] + f["write_cpu"]) / nproc
        p = by.get(("pyarrow", size))
        allowed = f"{2 * p['wall_s']:.2f}" if p else "–"
        share = f"{best / (2 * p['wall_s']):.0%}" if p else "–"
        lines.append(f"| {size:,} | {f['read_cpu']:.2f} | {f['write_cpu']:.2f} | {best:.2f} "
                     f"| {allowed} | {share} |")
    return lines


def trade_events_schema(args, outdir):
    """trade_events' Arrow schema, from tradeflow's own files after a run over 1,000 rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    work = os.path.join(outdir, "work", "schema")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    csv_path = os.path.join(work, "trades.csv")
    subprocess.run([args.generator, "--rows", "1000", "--seed", str(args.seed), "-o", csv_path],
                   check=True, capture_output=True)
    pipeline = tradeflow_pipeline(os.path.join(BENCH, "pipelines", "bench_csv.yaml"),
                                  csv_path, work)
    sh([args.tradeflow, "run", pipeline], cwd=work)
    data = os.path.join(work, "warehouse", "trading", "trade_events", "data")
    files = [os.path.join(d, f) for d, _, fs in os.walk(data) for f in fs
             if f.endswith(".parquet")]
    schema = pq.read_schema(files[0]).remove_metadata()
    path = os.path.join(outdir, "work", "trade_events.arrows")
    with open(path, "wb") as f:
        f.write(schema.serialize().to_pybytes())
    return schema, path


def same_layout(parquet_path, schema):
    """Whether a peer's file has exactly trade_events' leaf columns, with the same types."""
    import pyarrow.parquet as pq
    sys.path.insert(0, PEERS)
    import canonical
    return canonical.leaf_types(pq.read_schema(parquet_path)) == canonical.leaf_types(schema)


def fmt_ratio(x):
    return f"{x:.2f}×"


def report(results, sizes, args, info, command, outdir, floors=None):
    by = {(r["engine"], r["size"]): r for r in results}
    lines = ["# tradeflow CSV → validated trade_events: benchmark results", ""]
    lines += [f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
              f"- machine: {info.get('Model name', '?')}, nproc {info['nproc']}, "
              f"{info.get('memory_gib', '?')} GiB RAM, {info['platform']}",
              f"- command: `{command}`",
              f"- input: tradeflow-generate --seed {args.seed} --error-rate {args.error_rate} "
              f"(CSV, 48 columns), sizes {', '.join(f'{s:,}' for s in sizes)} rows"
              + ("; the tradeflow_<format> rows read the same generator's export in that format"
                 if any(n in OTHER_FORMATS for n in args.contenders) else "")]
    if args.repeat > 1:
        lines.append(f"- runs: {args.repeat} per contender and size, interleaved (every contender "
                     "once, then again), so that a slow spell of the machine hits them all; each "
                     "row is the run with the median wall time, with the range of all its runs")
    lines.append("")
    lines += ["| contender | rows | input MB | wall s | CPU s | peak RSS MiB | trades/s | MB/s "
              "| accepted | quarantined |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        for name in args.contenders:
            r = by.get((name, size))
            if r:
                wall = f"{r['wall_s']:.2f}"
                if len(r.get("walls", [])) > 1:
                    wall += f" ({min(r['walls']):.2f}–{max(r['walls']):.2f})"
                lines.append(f"| {name} | {r['rows']:,} | {r['input_mb']} | {wall} | "
                             f"{r['cpu_s']:.2f} | {r['peak_rss_mib']:.0f} | "
                             f"{r['trades_per_s']:,} | {r['mb_per_s']:.1f} | "
                             f"{r['accepted']:,} | {r['quarantined']:,} |")
    lines += ["", "## Ratios (tradeflow ÷ peer; throughput is trades/s, CPU is CPU-seconds per "
              "trade: > 1× means tradeflow is better)", "",
              "| size | ÷ pandas (5× target) | ÷ duckdb (> 1× target) | ÷ pyarrow (≥ 0.5× target) "
              "| CPU ÷ pandas | CPU ÷ duckdb | CPU ÷ pyarrow |", "|---|---:|---:|---:|---:|---:|---:|"]
    peers = ["pandas", "duckdb", "pyarrow"]
    flat = [p for p in ("pandas_flat", "duckdb_flat") if p in args.contenders]
    if flat:  # the flat variants as extra columns, for reference
        lines[-2] = lines[-2].replace(" | CPU ÷ pandas", "".join(f" | ÷ {p}" for p in flat)
                                      + " | CPU ÷ pandas")
        lines[-1] += "---:|" * len(flat)
        peers += flat
    verdicts = {}
    for size in sizes:
        t = by.get(("tradeflow", size))
        if not t:
            continue
        cells, cpu_cells = [], []
        for peer in peers:
            p = by.get((peer, size))
            if not p:
                cells.append("–")
                cpu_cells.append("–")
                continue
            ratio = t["trades_per_s"] / p["trades_per_s"]
            cells.append(fmt_ratio(ratio))
            if peer not in flat:
                cpu_cells.append(fmt_ratio(p["cpu_s"] / t["cpu_s"]))
            verdicts.setdefault(peer, []).append((size, ratio))
        lines.append(f"| {size:,} | " + " | ".join(cells + cpu_cells) + " |")
    lo, hi = min(sizes), max(sizes)
    lines += ["", f"## Memory: peak RSS at {hi:,} rows ÷ at {lo:,} rows "
              f"(input {hi / lo:.0f}×; target for tradeflow: < 1.5×)", "",
              "| contender | peak RSS small MiB | peak RSS large MiB | ratio |", "|---|---:|---:|---:|"]
    mem_ratio = None
    for name in args.contenders:
        a, b = by.get((name, lo)), by.get((name, hi))
        if a and b and lo != hi:
            ratio = b["peak_rss_mib"] / a["peak_rss_mib"]
            if name == "tradeflow":
                mem_ratio = ratio
            lines.append(f"| {name} | {a['peak_rss_mib']:.0f} | {b['peak_rss_mib']:.0f} | "
                         f"{fmt_ratio(ratio)} |")
    lines += ["", "## Agreement", ""]
    agree = True
    for size in sizes:
        counts = {n: (by[(n, size)]["accepted"], by[(n, size)]["quarantined"])
                  for n in SAME_RULES if (n, size) in by}
        same = len(set(counts.values())) <= 1
        agree &= same
        lines.append(f"- {size:,} rows: accepted/quarantined "
                     + ", ".join(f"{n} {a:,}/{q:,}" for n, (a, q) in counts.items())
                     + (" — all agree" if same else " — **DISAGREE**"))
    lines += ["", "## Targets", ""]
    targets = {"pandas": (5.0, "at least 5× pandas"), "duckdb": (1.0, "faster than DuckDB"),
               "pyarrow": (0.5, "at least half of plain pyarrow conversion")}
    for peer, (goal, text) in targets.items():
        if peer in verdicts:
            worst = min(r for _, r in verdicts[peer])
            state = "met" if worst >= goal else "NOT met"
            lines.append(f"- {text}: {state} (worst size {fmt_ratio(worst)}, target "
                         f"{fmt_ratio(goal)}; " + ", ".join(f"{s:,}: {fmt_ratio(r)}"
                                                            for s, r in verdicts[peer]) + ")")
    if mem_ratio is not None:
        lines.append(f"- memory not growing with input ({hi / lo:.0f}× input under 1.5× peak RSS): "
                     f"{'met' if mem_ratio < 1.5 else 'NOT met'} ({fmt_ratio(mem_ratio)})")
    lines.append(f"- contenders with the same rules agree on accepted/quarantined: "
                 f"{'yes' if agree else 'NO'}")
    layouts = [r.get("same_layout") for r in results if r["engine"] in CANONICAL_PEERS]
    if layouts:
        same = all(layouts)
        agree &= same
        lines.append("- pandas and duckdb wrote trade_events' own layout (every leaf column, same "
                     f"types as tradeflow's files): {'yes' if same else 'NO'}")
    if floors:
        lines += floor_lines(floors, by, info["nproc"])
    text = "\n".join(lines) + "\n"
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"machine": info, "command": command, "results": results,
                   "floor": floors or {}}, f, indent=1)
    return text, agree


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="200000,2000000",
                    help="comma-separated row counts (default 200000,2000000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--error-rate", type=float, default=0.01,
                    help="share of faulty trade versions in the input (default 0.01)")
    ap.add_argument("--tradeflow", help="tradeflow binary (default: build with scripts/build.sh "
                    "and use build/bin/tradeflow)")
    ap.add_argument("--generator", help="tradeflow-generate binary (default: beside tradeflow)")
    ap.add_argument("--python", default=os.path.join(REPO, ".venv", "bin", "python"))
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--out", default=os.path.join(BENCH, "out"))
    ap.add_argument("--floor", action="store_true",
                    help="also measure pyarrow alone reading the CSV and writing trade_events' "
                    "layout (bench/peers/layout_floor.py)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per contender and size, interleaved; the run with the median wall "
                    "time is reported (default 1)")
    args = ap.parse_args()
    args.contenders = [c for c in args.contenders.split(",") if c]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    command = "bench/run.py " + " ".join(sys.argv[1:])
    outdir = os.path.abspath(args.out)
    os.makedirs(outdir, exist_ok=True)

    if not args.tradeflow:
        print("building with scripts/build.sh", flush=True)
        subprocess.run([os.path.join(REPO, "scripts", "build.sh")], check=True, cwd=REPO)
        args.tradeflow = os.path.join(REPO, "build", "bin", "tradeflow")
    args.tradeflow = os.path.abspath(args.tradeflow)
    if not args.generator:
        args.generator = os.path.join(os.path.dirname(args.tradeflow), "tradeflow-generate")
    ensure_python_deps(args.python)
    if any(name in CANONICAL_PEERS for name in args.contenders):
        args.schema, args.schema_path = trade_events_schema(args, outdir)
    info = machine()

    data = os.path.join(outdir, "data")
    os.makedirs(data, exist_ok=True)
    inputs = {}
    formats = {"csv"} | {OTHER_FORMATS[n][0] for n in args.contenders if n in OTHER_FORMATS}
    for size in sizes:
        for fmt in sorted(formats):
            path = os.path.join(data, f"trades_{size}_seed{args.seed}_err{args.error_rate}.{fmt}")
            # Made again when the generator was rebuilt since: its output may have changed.
            if (not os.path.exists(path)
                    or (os.path.exists(args.generator)
                        and os.path.getmtime(path) < os.path.getmtime(args.generator))):
                print(f"generating {size:,} rows -> {path}", flush=True)
                subprocess.run([args.generator, "--rows", str(size), "--seed", str(args.seed),
                                "--error-rate", str(args.error_rate), "--format", fmt,
                                "-o", path + ".tmp"], check=True)
                os.replace(path + ".tmp", path)
            inputs[(fmt, size)] = path

    results = []
    for size in sizes:
        runs = {name: [] for name in args.contenders}
        for attempt in range(args.repeat):
            for name in args.contenders:
                path = inputs[(OTHER_FORMATS[name][0] if name in OTHER_FORMATS else "csv", size)]
                warm(path)
                label = f" (run {attempt + 1}/{args.repeat})" if args.repeat > 1 else ""
                print(f"{name:>9} {size:>10,} rows{label} ... ", end="", flush=True)
                r = run_one(name, path, size, args, outdir)
                print(f"{r['wall_s']:7.2f}s wall {r['cpu_s']:7.2f}s cpu "
                      f"{r['peak_rss_mib']:7.0f} MiB {r['trades_per_s']:>9,} trades/s  "
                      f"accepted {r['accepted']:,} quarantined {r['quarantined']:,}", flush=True)
                runs[name].append(r)
                shutil.rmtree(os.path.join(outdir, "work", f"{name}_{size}", "warehouse"),
                              ignore_errors=True)
        for name in args.contenders:
            by_wall = sorted(runs[name], key=lambda r: r["wall_s"])
            median = dict(by_wall[len(by_wall) // 2])
            median["walls"] = [r["wall_s"] for r in runs[name]]
            median["cpus"] = [r["cpu_s"] for r in runs[name]]
            median["same_layout"] = all(r.get("same_layout", True) for r in runs[name])
            if len({(r["accepted"], r["quarantined"]) for r in runs[name]}) > 1:
                raise RuntimeError(f"{name} counted differently from one run to the next")
            results.append(median)
    floors = {}
    if args.floor:
        for size in sizes:
            print(f"{'floor':>9} {size:>10,} rows ... ", end="", flush=True)
            floors[size] = layout_floor(inputs[("csv", size)], size, args, outdir)
            f = floors[size]
            print(f"CSV read {f['read_cpu']:.2f}s cpu, layout write {f['write_cpu']:.2f}s cpu "
                  f"({f['rows']:,} rows)", flush=True)
    text, agree = report(results, sizes, args, info, command, outdir, floors)
    print()
    print(text)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
