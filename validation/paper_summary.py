#!/usr/bin/env python3
"""Headline figures of the paper experiment's sweep, per reconciliation order.

Reads DIR/paper-orders/staleness.csv (written by
`scuttlesim sweep scenarios/paper/orders-sweep.toml`) and prints a Markdown
table: the peak of the mean max staleness and when, the max staleness at
t = 75 s and 120 s, the peak number of stale mappings and when, and the first
sample after the last update (120 s) with no stale mapping.
Standard library only; not needed by `cargo test`.

    python3 validation/paper_summary.py output/paper-orders/staleness.csv
"""
import csv
import sys


def main(path):
    with open(path) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    orders = []
    series = {}
    for r in rows:
        o = r["gossip.order"]
        if o not in series:
            orders.append(o)
            series[o] = []
        series[o].append((float(r["t_s"]), float(r["max_s_mean"]), float(r["stale_mean"]), int(r["runs"])))
    print("| order | peak max staleness (s) at t | max staleness at 75 s / 120 s | peak stale mappings at t | stale mappings at 75 s / 120 s | no stale mapping from | seeds |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for o in orders:
        s = series[o]
        at = {round(t): (m, c) for t, m, c, _ in s}
        peak_m = max(s, key=lambda x: x[1])
        peak_c = max(s, key=lambda x: x[2])
        clear = next((t for t, _, c, _ in s if t > 120 and c == 0), None)
        print(
            f"| {o} | {peak_m[1]:.1f} at {peak_m[0]:.0f} s | {at[75][0]:.1f} / {at[120][0]:.1f} "
            f"| {peak_c[2]:,.0f} at {peak_c[0]:.0f} s | {at[75][1]:,.0f} / {at[120][1]:,.0f} "
            f"| {'%.0f s' % clear if clear else 'never'} | {max(x[3] for x in s)} |"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "output/paper-orders/staleness.csv")
