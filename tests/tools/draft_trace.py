#!/usr/bin/env python3
"""What each draft write waited for, from a Chromium JSON trace of `profile_tasks`.

Make the trace (the probe left out, so the page's own tasks show):

    DSR_PROBE=0 DSR_PROFILE_RECORDS=100000 \
    DSR_CHROMIUM_FLAGS="--trace-startup=devtools.timeline,blink.user_timing,v8,IndexedDB,toplevel,disabled-by-default-devtools.timeline --trace-startup-format=json --trace-startup-file=/tmp/trace.json --trace-startup-duration=25" \
    DSR_E2E_DIST=$PWD/dist DSR_SERVER_BIN=$PWD/target/release/dsr-server \
    cargo test --release -p dsr-e2e-tests --features bench --test profile_sync profile_tasks -- --ignored --nocapture

then `python3 tests/tools/draft_trace.py /tmp/trace.json` prints, for each draft's transaction
(`dsr-draft-tx`): its length, when the first frame after it was painted, when the page was told it
committed (`IDBTransaction::onComplete`), how busy the page's main thread was meanwhile, and when the
browser's database committed it. `--detail MS` lists every event of the draft starting nearest MS
(milliseconds after the first draft), on the page's main thread and the database's threads.
"""
import argparse
import collections
import json


def load(path):
    events = json.load(open(path))["traceEvents"]
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    measures = collections.defaultdict(list)
    page = None
    for e in events:
        if "user_timing" in e.get("cat", "") and e.get("ph") in ("b", "e"):
            measures[e["name"]].append(e)
            page = e["pid"]
    spans = {}
    for name, es in measures.items():
        # Measures of one name here never overlap (drafts are written one after another).
        begins = sorted(x["ts"] for x in es if x["ph"] == "b")
        ends = sorted(x["ts"] for x in es if x["ph"] == "e")
        spans[name] = list(zip(begins, ends))
    main = next(k for k, v in threads.items() if v == "CrRendererMain" and k[0] == page)
    return events, threads, spans, main


def summary(events, spans, main):
    on_main = [x for x in events if x.get("ph") == "X" and (x["pid"], x["tid"]) == main]
    paints = sorted(x["ts"] for x in on_main if x["name"] == "Paint")
    completes = sorted(x["ts"] for x in on_main if x["name"] == "IDBTransaction::onComplete")
    commits = sorted(x["ts"] + x.get("dur", 0) for x in events
                     if x.get("ph") == "X" and x["name"] == "Transaction::CommitPhaseTwo.TransactionCompleteCallbacks")
    drafts = sorted(spans.get("dsr-draft-tx", []))
    first = drafts[0][0] if drafts else 0
    for s, e in drafts:
        after = lambda times: next(((t - s) / 1000 for t in times if t > s), float("nan"))
        busy = sum(min(e, x["ts"] + x["dur"]) - max(s, x["ts"]) for x in on_main
                   if x["name"] == "ThreadControllerImpl::RunTask" and x["ts"] < e and x["ts"] + x["dur"] > s) / 1000
        print(f"draft-tx {(e - s) / 1000:5.1f} ms at {(s - first) / 1000:6.0f}: first paint +{after(paints):.1f}, "
              f"a commit in the database +{after(commits):.1f}, onComplete +{after(completes):.1f}, main thread busy {busy:.1f}")


def detail(events, threads, spans, main, at):
    drafts = sorted(spans.get("dsr-draft-tx", []))
    first = drafts[0][0]
    s, e = min(drafts, key=lambda d: abs((d[0] - first) / 1000 - at))
    print(f"draft-tx {(e - s) / 1000:.1f} ms")
    rows = []
    for x in events:
        if x.get("ph") != "X" or x["ts"] + x.get("dur", 0) < s - 3000 or x["ts"] > e + 1000:
            continue
        k = (x["pid"], x["tid"])
        if x["name"] in ("ThreadControllerImpl::RunTask", "BackingStore::Cursor::Continue"):
            continue
        if k == main or "IndexedDB" in x.get("cat", ""):
            rows.append((x["ts"], f"{(x['ts'] - s) / 1000:7.2f} +{x.get('dur', 0) / 1000:5.2f} "
                                  f"{threads.get(k, '?')[:22]:22} {x['name'][:60]} {str(x.get('args', {}))[:70]}"))
    for _, row in sorted(rows):
        print(row)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("--detail", type=float, help="ms after the first draft: list that draft's events")
    args = parser.parse_args()
    events, threads, spans, main = load(args.trace)
    if args.detail is None:
        summary(events, spans, main)
    else:
        detail(events, threads, spans, main, args.detail)
