"""Geoparse benchmark: cold gazetteer load, throughput over a multi-MB corpus, peak memory.

    .venv/bin/python bench/geoparse_bench.py              # 6 MB corpus, report only (exit 0)
    .venv/bin/python bench/geoparse_bench.py --check      # exit 1 when a target is missed
    .venv/bin/python bench/geoparse_bench.py --mb 10      # bigger corpus
    .venv/bin/python bench/geoparse_bench.py --big        # one ~50 MB file through `python -m mapapp geoparse`

Targets (from the issue): gazetteer load ≤ 2 s; geoparse ≥ 5 MB/s on one core with the full gazetteer loaded.
Everything runs in this one single-threaded Python process (one core); ``--big`` runs the CLI in one child process.
MB here are 10^6 bytes of UTF-8 text.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from make_corpus import build_corpus  # noqa: E402
from mapapp import gazetteer as gazetteer_module  # noqa: E402
from mapapp.gazetteer import load_gazetteer  # noqa: E402
from mapapp import geoparse  # noqa: E402
from mapapp.geoparse import mentions_from_text  # noqa: E402

OUT_DIR = BENCH_DIR / "out"
LOAD_TARGET_S = 2.0
THROUGHPUT_TARGET_MBS = 5.0
MIN_CORPUS_MB = 5.0


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far (ru_maxrss is KB on Linux, bytes on macOS)."""
    value = resource.getrusage(who).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def cold_load():
    """(gazetteer, seconds) for a load with every cache emptied first."""
    load_gazetteer.cache_clear()
    gazetteer_module.normalize_name.cache_clear()
    gc.collect()
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    return gaz, time.perf_counter() - t0


def geoparse_all(articles: list[str], gaz) -> tuple[int, int]:
    """(mentions, resolved) over every article; the mentions themselves are counted and dropped."""
    found = resolved = 0
    for text in articles:
        mentions = mentions_from_text(text, gazetteer=gaz)
        found += len(mentions)
        resolved += sum(1 for m in mentions if m.place is not None)
    return found, resolved


def run_default(args) -> int:
    print(f"geoparse benchmark — Python {platform.python_version()} on {platform.machine()}, "
          f"single process, single thread (machine has {os.cpu_count()} CPUs)")
    rss_start = _maxrss_mb()

    gaz, load_s = cold_load()
    rss_gaz = _maxrss_mb()
    keys = getattr(gaz, "_index", None)
    detail = f"{len(gaz.places):,} places" + (f", {len(keys):,} name keys" if keys is not None else "")
    print(f"gazetteer cold load:   {load_s:6.2f} s   ({detail})   target ≤ {LOAD_TARGET_S:g} s")
    # What the gazetteer and the geoparser leave to be built on first use (the fuzzy index, the numeric columns,
    # the compiled code's tables): paid here, shown apart, so that the geoparse timing below is the steady state.
    t0 = time.perf_counter()
    geoparse.prepare(gaz)
    probe_s = time.perf_counter() - t0
    print(f"geoparser ready:       {probe_s:6.2f} s   (load + ready = {load_s + probe_s:.2f} s; the fuzzy index, "
          f"numeric columns and tables the load leaves for first use)")
    print(f"geoparser code:        {geoparse.implementation()}")

    results = {}
    for profile in args.profiles:
        t0 = time.perf_counter()
        articles = build_corpus(int(args.mb * 1_000_000), args.seed, gazetteer=gaz, profile=profile)
        build_s = time.perf_counter() - t0
        corpus_mb = sum(len(a.encode("utf-8")) for a in articles) / 1e6
        print(f"corpus [{profile}]:       {corpus_mb:6.2f} MB in {len(articles):,} articles "
              f"(built in {build_s:.2f} s, not timed; seed {args.seed})")
        gc.collect()
        rss_before = _maxrss_mb()
        t0 = time.perf_counter()
        found, resolved = geoparse_all(articles, gaz)
        parse_s = time.perf_counter() - t0
        rss_after = _maxrss_mb()
        mbs = corpus_mb / parse_s
        share = resolved / found if found else 0.0
        print(f"geoparse [{profile}]:     {parse_s:6.2f} s   {mbs:6.2f} MB/s   "
              f"({len(articles) / parse_s:,.0f} articles/s)   target ≥ {THROUGHPUT_TARGET_MBS:g} MB/s")
        print(f"mentions [{profile}]:     {found:,} found, {resolved:,} resolved ({share:.1%}), "
              f"{found / corpus_mb:,.0f} per MB")
        results[profile] = (mbs, corpus_mb, articles)
    mbs, corpus_mb, articles = results[args.profiles[0]]

    print(f"peak RSS (ru_maxrss):  {rss_after:6.1f} MB   (at start {rss_start:.1f} MB, after gazetteer load "
          f"{rss_gaz:.1f} MB, before geoparse {rss_before:.1f} MB)")

    if args.tracemalloc:
        # A separate, untimed pass: tracemalloc slows allocation-heavy code several-fold.
        sample = articles if args.trace_mb <= 0 else _head(articles, int(args.trace_mb * 1_000_000))
        sample_mb = sum(len(a.encode("utf-8")) for a in sample) / 1e6
        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        geoparse_all(sample, gaz)
        traced_s = time.perf_counter() - t0
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc (geoparse): peak {peak / 2**20:6.1f} MB, retained {current / 2**20:.1f} MB "
              f"over {sample_mb:.2f} MB of text (separate untimed pass, {traced_s:.1f} s)")

    load_ok = load_s <= LOAD_TARGET_S
    speed_ok = mbs >= THROUGHPUT_TARGET_MBS
    size_ok = corpus_mb >= MIN_CORPUS_MB
    print(f"{_verdict(load_ok)}  gazetteer load {load_s:.2f} s ≤ {LOAD_TARGET_S:g} s")
    print(f"{_verdict(speed_ok)}  geoparse throughput {mbs:.2f} MB/s ≥ {THROUGHPUT_TARGET_MBS:g} MB/s "
          f"[{args.profiles[0]} corpus]")
    for profile in args.profiles[1:]:
        print(f"info  geoparse throughput {results[profile][0]:.2f} MB/s [{profile} corpus]")
    if not size_ok:
        print(f"FAIL  corpus {corpus_mb:.2f} MB < {MIN_CORPUS_MB:g} MB (the issue asks for at least 5 MB)")
    return 1 if args.check and not (load_ok and speed_ok and size_ok) else 0


def _head(articles: list[str], limit_bytes: int) -> list[str]:
    taken, size = [], 0
    for text in articles:
        if size >= limit_bytes:
            break
        taken.append(text)
        size += len(text.encode("utf-8"))
    return taken


def _limit_memory(limit_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return apply


def run_big(args) -> int:
    """One ~50 MB file through the CLI in a child process: wall time, exit code, child's peak RSS."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = int(args.big_mb * 1_000_000)
    path = OUT_DIR / f"big_{args.big_mb:g}mb.txt"
    gaz = load_gazetteer()
    t0 = time.perf_counter()
    text = "\n\n".join(build_corpus(target, args.seed, gazetteer=gaz))
    path.write_text(text, encoding="utf-8")
    size_mb = path.stat().st_size / 1e6
    print(f"big file:              {path.relative_to(ROOT)}  {size_mb:.2f} MB "
          f"(built and written in {time.perf_counter() - t0:.1f} s)")
    del text, gaz

    command = [sys.executable, "-m", "mapapp", "geoparse", str(path), "--json"]
    limit = int(args.big_mem_gb * 2**30)
    print(f"running:               {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(command))} "
          f"> /dev/null   (address space capped at {args.big_mem_gb:g} GB)")
    t0 = time.perf_counter()
    child = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           preexec_fn=_limit_memory(limit) if limit > 0 else None)
    wall_s = time.perf_counter() - t0
    child_rss = _maxrss_mb(resource.RUSAGE_CHILDREN)
    print(f"wall time:             {wall_s:6.1f} s   ({size_mb / wall_s:.2f} MB/s including start-up, "
          f"gazetteer load and JSON output)")
    print(f"exit code:             {child.returncode}")
    print(f"child peak RSS:        {child_rss:6.1f} MB")
    stderr = child.stderr.decode("utf-8", errors="replace").strip()
    if stderr:
        tail = stderr.splitlines()[-5:]
        print("child stderr (last lines):")
        for line in tail:
            print(f"    {line}")
    ok = child.returncode == 0
    print(f"{_verdict(ok)}  `python -m mapapp geoparse` on a {size_mb:.0f} MB file exits 0")
    return 1 if args.check and not ok else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=6.0, help="corpus size in MB (default 6; the issue asks ≥ 5)")
    parser.add_argument("--seed", type=int, default=1234, help="corpus seed (default 1234)")
    parser.add_argument("--profiles", nargs="+", default=["news", "villages", "seeds"],
                        choices=["news", "villages", "seeds"],
                        help="corpus profiles to run; the first is judged against the target (default: news villages)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed (default: always 0)")
    parser.add_argument("--no-tracemalloc", dest="tracemalloc", action="store_false",
                        help="skip the separate tracemalloc pass")
    parser.add_argument("--trace-mb", type=float, default=1.0,
                        help="MB of the corpus the tracemalloc pass covers (default 1; 0 = whole corpus)")
    parser.add_argument("--big", action="store_true",
                        help="instead: write one ~50 MB file to bench/out/ and time `python -m mapapp geoparse` on it")
    parser.add_argument("--big-mb", type=float, default=50.0, help="size of the --big file in MB (default 50)")
    parser.add_argument("--big-mem-gb", type=float, default=12.0,
                        help="address-space cap for the --big child, so a runaway cannot exhaust the machine "
                             "(default 12; 0 = none)")
    args = parser.parse_args(argv)
    return run_big(args) if args.big else run_default(args)


if __name__ == "__main__":
    sys.exit(main())
