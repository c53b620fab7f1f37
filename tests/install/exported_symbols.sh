#!/usr/bin/env bash
# Checks the dynamic symbol table of the shared library against the public
# contract (include/kernpool.h):
#   - every defined dynamic symbol starts with kp_, except the few symbols the
#     linker itself defines (listed in linker_symbols below, nothing else);
#   - no kp__ symbol (internals shared between files) is exported;
#   - every function the header declares with KP_API is exported as a
#     function, and so is each name in required_symbols (a fixed list, so a
#     header that lost a declaration is caught too).
#
# Arguments:
#   --nm EXE         nm
#   --library FILE   the shared library ($<TARGET_FILE:kernpool>)
#   --header FILE    include/kernpool.h
set -euo pipefail
# Never pipe into "grep -q": it exits at the first match, the writer may then
# die of SIGPIPE, and pipefail turns a match into a failure.

nm="" library="" header=""
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "exported_symbols: option $1 needs a value" >&2; exit 2; }
    case "$1" in
    --nm) nm=$2 ;;
    --library) library=$2 ;;
    --header) header=$2 ;;
    *) echo "exported_symbols: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done

fail() {
    echo "exported_symbols: FAILED: $*" >&2
    exit 1
}

[ -n "$nm" ] && [ -n "$library" ] && [ -n "$header" ] ||
    fail "usage: exported_symbols.sh --nm EXE --library FILE --header FILE"
[ -f "$library" ] || fail "no such library: $library"
[ -f "$header" ] || fail "no such header: $header"

# Defined by the linker in every shared object on some toolchains; nothing
# else outside kp_ is tolerated.
linker_symbols=" _init _fini _edata _end __bss_start "

required_symbols="kp_version kp_strerror kp_cpu_budget kp_workers_resolve kp_set_workers
kp_get_workers kp_parallel_for kp_pool_info_get kp_sgemm kp_dgemm kp_cgemm kp_zgemm
kp_gemm_info_get kp_foreign_list kp_foreign_threads_get kp_foreign_threads_set
kp_foreign_limit_begin kp_foreign_limit_end kp_foreign_warnings_get"

table=$("$nm" -D --defined-only "$library") || fail "$nm -D --defined-only $library"
echo "$nm -D --defined-only $library:"
echo "$table"

# "TYPE NAME" per symbol, the symbol version (name@@V, name@V) removed.
symbols=$(echo "$table" | awk 'NF >= 2 { name = $NF; sub(/@.*/, "", name); print $(NF - 1), name }')
[ -n "$symbols" ] || fail "$library has no defined dynamic symbols"

errors=0
error() {
    echo "exported_symbols: FAILED: $*" >&2
    errors=$((errors + 1))
}

while read -r type name; do
    case "$name" in
    kp__*) error "internal symbol exported: $name ($type)" ;;
    kp_*) ;;
    *)
        case "$linker_symbols" in
        *" $name "*) ;;
        *) error "symbol outside the kp_ namespace exported: $name ($type)" ;;
        esac
        ;;
    esac
done <<<"$symbols"

# Functions the header declares: "KP_API <type> [*]kp_name(".
declared=$(sed -n 's/^KP_API .*[ *]\(kp_[A-Za-z0-9_]*\)(.*/\1/p' "$header")
for name in $required_symbols; do
    grep -qx "$name" <<<"$declared" || error "$header does not declare $name with KP_API"
done

for name in $required_symbols $declared; do
    grep -Eq "^[TWi] $name\$" <<<"$symbols" ||
        error "$name is not exported as a function (found: $(grep " $name\$" <<<"$symbols" || echo nothing))"
done

[ "$errors" -eq 0 ] || fail "$errors problem(s) in the exports of $library"
echo "exported_symbols: ok ($(echo "$symbols" | wc -l) symbols;" \
    "$(echo "$declared" | wc -w) declared in the header, all exported)"
