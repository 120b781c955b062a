#!/usr/bin/env bash
# Runs P0 and P1 (shared/bench/SCENARIOS.md) on scuttlesim and on the peers
# in ../shared/bench/peers/, alternating, and prints wall times and ratios.
#
#   scripts/bench-peers.sh [P0_NODES] [P1_NODES] [REPEAT]     (defaults 100000 1000 3)
#
# Needs: cargo; python3 (pyheap peer); `pip install simpy==4.1.2` for the
# SimPy rows (skipped when simpy is missing). Wall times are whole-process
# (/usr/bin/time), the median of REPEAT runs. The machine must be quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
P0_N=${1:-100000}
P1_N=${2:-1000}
REPEAT=${3:-3}
PEERS=../shared/bench/peers

cargo build --release --quiet
cargo build --release --quiet --manifest-path "$PEERS/rust-nexosim/Cargo.toml" --target-dir target/peers
NEXO=target/peers/release/peer-nexosim
PY=$(python3 -c 'import sys; print(sys.executable)')

wall() { # median whole-process wall seconds of a command, REPEAT times
  local times=()
  for _ in $(seq "$REPEAT"); do
    local f
    f=$(mktemp)
    /usr/bin/time -o "$f" -f '%e' "$@" >/dev/null 2>&1
    times+=("$(tail -1 "$f")")
    rm -f "$f"
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (REPEAT + 1) / 2 ))p"
}

row() { # label, our seconds, their seconds
  awk -v l="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-36s %9.3f s  %9.3f s  x%.1f\n", l, a, b, b / a }'
}

printf '%-36s %11s  %11s  %s\n' "benchmark (peer)" "scuttlesim" "peer" "speed-up"
ours_p0=$(wall target/release/scuttlesim run scenarios/bench/p0.toml --set nodes.count="$P0_N" --trace off --out target/bench-out)
ours_p1=$(wall target/release/scuttlesim run scenarios/bench/p1.toml --set nodes.count="$P1_N" --trace off --out target/bench-out)
row "P0 N=$P0_N (nexosim, 1 thread)" "$ours_p0" "$(wall "$NEXO" p0 "$P0_N" 1 --threads 1)"
row "P0 N=$P0_N (pyheap)" "$ours_p0" "$(wall "$PY" "$PEERS/pyheap/p0.py" "$P0_N" 1)"
row "P1 N=$P1_N (nexosim, 1 thread)" "$ours_p1" "$(wall "$NEXO" p1 "$P1_N" 1 --threads 1)"
row "P1 N=$P1_N (pyheap)" "$ours_p1" "$(wall "$PY" "$PEERS/pyheap/p1.py" "$P1_N" 1)"
if "$PY" -c 'import simpy' 2>/dev/null; then
  row "P1 N=$P1_N (SimPy)" "$ours_p1" "$(wall "$PY" "$PEERS/simpy/p1.py" "$P1_N" 1)"
else
  echo "(SimPy not installed: pip install simpy==4.1.2 for its rows)"
fi
