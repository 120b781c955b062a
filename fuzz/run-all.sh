#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 600) each, one after
# another (nightly toolchain and cargo-fuzz needed): new inputs go to
# out/corpus/<target>/, crashes to artifacts/<target>/.
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
for t in scenario_toml scenario_json sweep trace; do
    mkdir -p out/corpus/$t
    cargo +nightly fuzz run -O -a --sanitizer none "$t" out/corpus/$t seeds/$t -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=3000 -malloc_limit_mb=1024 \
        -max_len=65536 -dict=scuttlesim.dict -print_final_stats=1 > out/$t.log 2>&1
    echo "$t: exit $?: $(grep -E '^Done|stat::number_of_executed_units' out/$t.log | tr '\n' ' ')"
done
