"""Print the figures of a Locust run from its CSV: throughput, p50/p95/p99 and the error rate.
Exits 1 when any request failed."""

import argparse
import csv
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stats_csv")
    parser.add_argument("--users", default="?")
    parser.add_argument("--duration", default="?")
    parser.add_argument("--workers", default="?")
    parser.add_argument("--cpu-seconds", type=float, default=0.0, help="CPU time the gunicorn workers used")
    parser.add_argument("--db-cpu-seconds", type=float, default=-1.0,
                        help="CPU time of the database's backends (negative: not measurable, e.g. a remote server)")
    args = parser.parse_args()
    with open(args.stats_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    rate = failures / requests if requests else 1.0
    print(f"\nLoad test: {args.users} users for {args.duration} against gunicorn with {args.workers} workers")
    print(f"{'page':<56} {'requests':>9} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for r in sorted(rows, key=lambda r: -int(r["Request Count"])):
        if r["Name"] == "Aggregated":
            continue
        print(f"{r['Type'] + ' ' + r['Name']:<56} {r['Request Count']:>9} {r['Failure Count']:>5} "
              f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
    print(f"\nthroughput {float(total['Requests/s']):.1f} req/s | p50 {total['50%']} ms | p95 {total['95%']} ms | "
          f"p99 {total['99%']} ms | requests {requests} | errors {failures} ({rate:.2%})")
    if args.cpu_seconds and requests:
        per_request = args.cpu_seconds * 1000 / requests
        print(f"server CPU: {args.cpu_seconds:.1f} s in the gunicorn workers = {per_request:.1f} ms per request "
              f"(≈ {1000 / per_request:.0f} req/s per free core; PostgreSQL's share not included)")
        if args.db_cpu_seconds >= 0:
            db_per_request = args.db_cpu_seconds * 1000 / requests
            both = per_request + db_per_request
            print(f"PostgreSQL CPU: {args.db_cpu_seconds:.1f} s in this database's backends = {db_per_request:.1f} ms "
                  f"per request; workers + PostgreSQL {both:.1f} ms per request (≈ {1000 / both:.0f} req/s per free core)")
    sys.exit(1 if failures or not requests else 0)


if __name__ == "__main__":
    main()
