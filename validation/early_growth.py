#!/usr/bin/env python3
"""Early growth rate of the informed set under periodic gossip timers.

The logistic curve of docs/VALIDATION.md assumes memoryless contacts: an
informed node starts exchanges at rate f/T from the moment it learns. With
periodic timers at random phases that holds for a node that learned by being
contacted (its next own round is uniform in [0, T) away: type S), but not for
one that learned in its own round by pulling (its next own round is exactly
T away: type P). Pulls from the node (other nodes' rounds) still arrive at
rate f/T whatever its type.

Linearising the early phase gives a two-type branching process; its growth
rate r solves the Euler-Lotka equation rho(M(rT)) = 1, where M(x) holds the
Laplace transforms of the offspring of each type (rows: parent S, P; columns:
child S by push, child P by pull):

    M(x) = [[f*b/x,          f*a/x],
            [f*b/(e^x - 1),  f*a/x]]

with a, b the pull and push success probabilities per contact (q = 1 - loss):
push (0, q), pull (q^2, 0), push-pull (q^2, q), Scuttlebutt (q^2, q^3).
For push or pull alone r = f*(a+b)/T, the logistic's beta; with both,
r < beta. The model ignores latency and, for Scuttlebutt with f >= 2, the
ack2 relay within a round (which makes the real growth faster).
Standard library only; not needed by `cargo test`.

    python3 validation/early_growth.py
"""
import math


def growth_rate(f, a, b, period=1.0):
    def rho(x):
        s = f * b / x
        p = f * a / x
        c = f * b / math.expm1(x)
        return ((s + p) + math.sqrt((s + p) ** 2 - 4 * p * (s - c))) / 2

    lo, hi = 1e-9, 100.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if rho(mid) > 1:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2 / period


def main():
    print("| protocol | f | loss | β = f(a+b)/T | early growth rate r |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for proto in ["push", "pull", "push-pull", "scuttlebutt"]:
        for f in (1, 2, 3):
            for loss in (0, 0.1):
                q = 1 - loss
                a, b = {
                    "push": (0, q),
                    "pull": (q * q, 0),
                    "push-pull": (q * q, q),
                    "scuttlebutt": (q * q, q ** 3),
                }[proto]
                print(f"| {proto} | {f} | {loss} | {f * (a + b):.3f} | {growth_rate(f, a, b):.3f} |")


if __name__ == "__main__":
    main()
