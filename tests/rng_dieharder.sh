#!/bin/sh
# Cross-stream independence: dieharder (Debian's dieharder 3.31) reads the
# interleaved output of four related generators (tests/rng_stream.c) from a
# pipe (-g 200, raw stdin) and runs tests that take seconds each:
#   0    diehard_birthdays     birthday spacings: repeated or near-repeated
#                              words between streams
#   8    diehard_count_1s_str  overlapping 5-byte words, across neighbours
#   206  dab_dct               discrete cosine transform: periodic structure,
#                              such as a stream repeating another one
# for PCG64 (jumped, spawned, consecutive substream blocks, neighbouring
# seeds), PCG64DXSM and Philox (jumped, spawned, blocks). Each run has
# dieharder's fixed seed (-S 1) over a fixed stream, so the verdict is the
# same every time. A final p-value below 1e-6 fails (dieharder's own FAILED
# is p < 1e-6 or p > 1 - 1e-6; WEAK, p < 0.005, happens by chance and is
# not a failure here): with ~30 p-values, a sound generator fails about once
# in 30,000 seeds.
#
# Negative control: four copies of one generator interleaved must fail the
# birthdays test, or the check itself is broken.
#
# usage: rng_dieharder.sh RNG_STREAM [DIEHARDER]
set -u
stream=$1
dieharder=${2:-dieharder}
threshold=1e-6
tests="0 8 206"
failed=0

# Prints the p-values of one run as "name p"; the exit status is dieharder's.
pvalues() {
    out=$("$stream" "$1" "$2" | "$dieharder" -g 200 -d "$3" -S 1 2>&1)
    rc=$?
    printf '%s\n' "$out" | awk -F'|' 'NF >= 6 && $5 ~ /^ *[0-9.]+ *$/ {
        gsub(/ /, "", $1); gsub(/ /, "", $2); gsub(/ /, "", $5); print $1 "/" $2, $5 }'
    return $rc
}

run() {
    res=$(pvalues "$1" "$2" "$3")
    rc=$?
    if [ $rc -ne 0 ] || [ -z "$res" ]; then
        echo "FAIL $1 $2 -d $3: dieharder exited $rc without p-values"
        failed=1
        return
    fi
    printf '%s\n' "$res" | while read -r name p; do
        verdict=ok
        if awk -v p="$p" -v t="$threshold" 'BEGIN { exit !(p < t) }'; then verdict=FAIL; fi
        printf '%-5s %-7s %-7s %-28s p = %s\n' "$verdict" "$1" "$2" "$name" "$p"
    done
    if printf '%s\n' "$res" | awk -v t="$threshold" '$2 < t { bad = 1 } END { exit !bad }'; then
        failed=1
    fi
}

start=$(date +%s)
for case in "pcg64 jumped" "pcg64 spawn" "pcg64 blocks" "pcg64 seeds" \
    "dxsm jumped" "dxsm spawn" "dxsm blocks" \
    "philox jumped" "philox spawn" "philox blocks"; do
    for t in $tests; do
        # shellcheck disable=SC2086 # case is two words on purpose
        run $case "$t"
    done
done

res=$(pvalues pcg64 same 0)
p=$(printf '%s\n' "$res" | awk 'NR == 1 { print $2 }')
if [ -n "$p" ] && awk -v p="$p" -v t="$threshold" 'BEGIN { exit !(p < t) }'; then
    echo "ok    negative control: four copies of one stream fail birthdays, p = $p"
else
    echo "FAIL  negative control: four copies of one stream passed birthdays (p = ${p:-none})"
    failed=1
fi

echo "dieharder: $(($(date +%s) - start)) s"
if [ $failed -ne 0 ]; then
    echo "FAILED: a p-value below $threshold (see above)"
    exit 1
fi
echo "all p-values >= $threshold"
