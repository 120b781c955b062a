#!/usr/bin/env bash
# Runs P0 and P1 (../shared/bench/SCENARIOS.md, beside this repository) on
# scuttlesim and on the peers in ../shared/bench/peers/ (or $PEERS),
# alternating, and prints wall times and ratios;
# then P1 with the trace at `versions` written to disk against no trace.
#
#   scripts/bench-peers.sh [P0_NODES] [P1_NODES] [REPEAT]     (defaults 100000 1000 3)
#
# Needs: cargo; python3 (pyheap peer); `pip install simpy==4.1.2` for the
# SimPy rows (skipped when simpy is missing). Wall times are whole-process,
# to the microsecond (bash's EPOCHREALTIME around each run): the median of
# REPEAT runs of the peer and of OURS_PER (default 3) times as many of ours,
# OURS_PER of ours around each of the peer's (ours, peer, ours, ours, ...),
# so that a machine whose speed drifts slows both alike and a burst of the
# VM hits one of our short runs, not the median. The machine should be quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
P0_N=${1:-100000}
P1_N=${2:-1000}
REPEAT=${3:-3}
PEERS=${PEERS:-../shared/bench/peers}
if [ ! -f "$PEERS/rust-nexosim/Cargo.toml" ]; then
  echo "bench-peers.sh: no peers at $PEERS (expected $PEERS/rust-nexosim/Cargo.toml);" \
    "set PEERS to the shared bench's peers/ directory" >&2
  exit 2
fi

cargo build --release --quiet
cargo build --release --quiet --manifest-path "$PEERS/rust-nexosim/Cargo.toml" --target-dir target/peers
NEXO=target/peers/release/peer-nexosim
PY=$(python3 -c 'import sys; print(sys.executable)')

OURS_PER=${OURS_PER:-3}

once() { # whole-process wall seconds of one run of a command, to the microsecond
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  local end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# pair LABEL OURS_CMD... -- PEER_CMD...: REPEAT runs of the peer, each
# with OURS_PER runs of ours around it (one before, the rest after);
# prints the medians and the ratio.
pair() {
  local label=$1
  shift
  local ours=() peer=()
  while [ "$1" != "--" ]; do ours+=("$1"); shift; done
  shift
  peer=("$@")
  local a=() b=()
  for _ in $(seq "$REPEAT"); do
    a+=("$(once "${ours[@]}")")
    b+=("$(once "${peer[@]}")")
    for _ in $(seq 2 "$OURS_PER"); do a+=("$(once "${ours[@]}")"); done
  done
  awk -v l="$label" -v a="$(printf '%s\n' "${a[@]}" | median)" -v b="$(printf '%s\n' "${b[@]}" | median)" \
    'BEGIN { printf "%-36s %9.3f s  %9.3f s  x%.1f\n", l, a, b, b / a }'
}

OURS_P0=(target/release/scuttlesim run scenarios/bench/p0.toml --set nodes.count="$P0_N" --trace off --out target/bench-out)
OURS_P1=(target/release/scuttlesim run scenarios/bench/p1.toml --set nodes.count="$P1_N" --trace off --out target/bench-out)

printf '%-36s %11s  %11s  %s\n' "benchmark (peer)" "scuttlesim" "peer" "speed-up"
pair "P0 N=$P0_N (nexosim, 1 thread)" "${OURS_P0[@]}" -- "$NEXO" p0 "$P0_N" 1 --threads 1
pair "P0 N=$P0_N (pyheap)" "${OURS_P0[@]}" -- "$PY" "$PEERS/pyheap/p0.py" "$P0_N" 1
pair "P1 N=$P1_N (nexosim, 1 thread)" "${OURS_P1[@]}" -- "$NEXO" p1 "$P1_N" 1 --threads 1
pair "P1 N=$P1_N (pyheap)" "${OURS_P1[@]}" -- "$PY" "$PEERS/pyheap/p1.py" "$P1_N" 1
if "$PY" -c 'import simpy' 2>/dev/null; then
  pair "P1 N=$P1_N (SimPy)" "${OURS_P1[@]}" -- "$PY" "$PEERS/simpy/p1.py" "$P1_N" 1
else
  echo "(SimPy not installed: pip install simpy==4.1.2 for its rows)"
fi

# P1 with its trace at `versions` written to disk, against no trace: REPEAT
# runs of each, alternating, each into an emptied output directory (the
# trace is written and synced as `run` always does). Columns: off, versions.
TRACE_OUT=target/bench-trace
OURS_P1_AT=(target/release/scuttlesim run scenarios/bench/p1.toml --set nodes.count="$P1_N" --quiet --out "$TRACE_OUT" --trace)
a=() b=()
for _ in $(seq "$REPEAT"); do
  rm -rf "$TRACE_OUT"
  a+=("$(once "${OURS_P1_AT[@]}" off)")
  rm -rf "$TRACE_OUT"
  b+=("$(once "${OURS_P1_AT[@]}" versions)")
done
rm -rf "$TRACE_OUT"
awk -v l="P1 N=$P1_N trace: off, versions" -v a="$(printf '%s\n' "${a[@]}" | median)" -v b="$(printf '%s\n' "${b[@]}" | median)" \
  'BEGIN { printf "%-36s %9.3f s  %9.3f s  versions/off %.2f (target < 2)\n", l, a, b, b / a }'
