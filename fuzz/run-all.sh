#!/bin/sh
# Builds the libFuzzer targets once (nightly toolchain and cargo-fuzz
# needed), then runs each for SECONDS (default 600), one after another:
# new inputs go to out/corpus/<target>/, crashes to artifacts/<target>/,
# logs to out/<target>.log. The binaries are run directly, so editing the
# sources meanwhile does not rebuild them mid-run.
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
TARGETS=${2:-"scenario_toml scenario_json sweep trace"}
cargo +nightly fuzz build -O -a --sanitizer none || exit 2
for t in $TARGETS; do
    mkdir -p out/corpus/$t artifacts/$t
    target/x86_64-unknown-linux-gnu/release/$t -artifact_prefix=artifacts/$t/ \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=3000 -malloc_limit_mb=1024 \
        -max_len=65536 -dict=scuttlesim.dict -print_final_stats=1 out/corpus/$t seeds/$t > out/$t.log 2>&1
    echo "$t: exit $?: $(grep -E '^Done|stat::number_of_executed_units' out/$t.log | tr '\n' ' ')"
done
