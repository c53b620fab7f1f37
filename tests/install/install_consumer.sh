#!/usr/bin/env bash
# Installs a configured and built kernpool tree into a fresh prefix and builds
# the consumer program against that prefix the four ways a user would:
#   1. find_package(kernpool) + kernpool::kernpool         (shared)
#   2. find_package(kernpool) + kernpool::kernpool_static  (static)
#   3. pkg-config --cflags --libs kernpool                 (shared)
#   4. pkg-config --static --cflags --libs kernpool        (libkernpool.a)
# Every consumer is run and must exit 0. It also checks the installed file
# list and the shared library's SONAME.
#
# Every path the consumers use must lie inside the fresh prefix: a header,
# library or package found elsewhere (/usr/local, the user package registry)
# would let the test pass for a tree it never looked at.
#
# Arguments, as "--opt value" or "--opt=value" (all required unless marked):
#   --build-dir DIR     the configured and built kernpool build tree
#   --work-dir DIR      scratch folder, removed and recreated on every run
#   --cmake EXE         cmake
#   --cc EXE            C compiler for the pkg-config builds and the
#                       find_package projects
#   --pkg-config EXE    pkg-config
#   --readelf EXE       readelf
#   --libdir REL        CMAKE_INSTALL_LIBDIR of the build (relative)
#   --includedir REL    CMAKE_INSTALL_INCLUDEDIR of the build (relative)
#   --version X.Y.Z     the project version the package must report
#   --generator NAME    CMake generator for the find_package projects (optional)
#   --make-program EXE  its make program (optional)
#   --config NAME       configuration to install (optional)
#   --sanitize LIST     KP_SANITIZE of the build; the consumers get the same
#                       -fsanitize flags (optional)
set -euo pipefail
# Never pipe into "grep -q": it exits at the first match, the writer may then
# die of SIGPIPE, and pipefail turns a match into a failure.

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
consumer_src="$script_dir/consumer"
source_dir=$(cd "$script_dir/../.." && pwd)

build_dir="" work_dir="" cmake="" cc="" pkg_config="" readelf="" libdir="" includedir=""
version="" generator="" make_program="" config="" sanitize=""
while [ $# -gt 0 ]; do
    # "--opt=value" (which may be empty) or "--opt value".
    case "$1" in
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
    esac
    [ $# -ge 2 ] || { echo "install_consumer: option $1 needs a value" >&2; exit 2; }
    case "$1" in
    --build-dir) build_dir=$2 ;;
    --work-dir) work_dir=$2 ;;
    --cmake) cmake=$2 ;;
    --cc) cc=$2 ;;
    --pkg-config) pkg_config=$2 ;;
    --readelf) readelf=$2 ;;
    --libdir) libdir=$2 ;;
    --includedir) includedir=$2 ;;
    --version) version=$2 ;;
    --generator) generator=$2 ;;
    --make-program) make_program=$2 ;;
    --config) config=$2 ;;
    --sanitize) sanitize=$2 ;;
    *) echo "install_consumer: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done

step="checking arguments"
trap 'rc=$?; if [ $rc -ne 0 ]; then
        echo "install_consumer: FAILED in step: $step (exit $rc)" >&2
        echo "install_consumer: the work dir is kept for inspection: $work_dir" >&2
      fi' EXIT

fail() {
    echo "install_consumer: FAILED: $*" >&2
    exit 1
}

begin() {
    step=$1
    echo
    echo "==== install_consumer: $step"
}

for v in build_dir work_dir cmake cc pkg_config readelf libdir includedir version; do
    [ -n "${!v}" ] || fail "missing argument --${v//_/-}"
done
[ -f "$build_dir/CMakeCache.txt" ] || fail "$build_dir is not a CMake build tree"
case "$libdir$includedir" in
/*) fail "CMAKE_INSTALL_LIBDIR ($libdir) and CMAKE_INSTALL_INCLUDEDIR ($includedir) must be" \
        "relative, or 'cmake --install --prefix' would write outside the scratch prefix" ;;
esac
# The work dir is removed with rm -rf: insist that it lies inside the build tree.
build_dir=$(cd "$build_dir" && pwd)
case "$work_dir" in
"$build_dir"/?*) ;;
*) fail "--work-dir ($work_dir) must lie inside the build dir ($build_dir)" ;;
esac

prefix="$work_dir/prefix"
inst_lib="$prefix/$libdir"
inst_inc="$prefix/$includedir"

san_flags=()
if [ -n "$sanitize" ]; then
    san_flags=("-fsanitize=$sanitize" -fno-omit-frame-pointer)
fi
warn_flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror)

# needed_libs FILE: the DT_NEEDED entries of FILE, one a line.
needed_libs() {
    "$readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# expect_shared_link EXE: EXE needs libkernpool.so.0, and the loader (with
# the current environment) resolves it to the library in the prefix.
expect_shared_link() {
    local exe=$1 needed resolved
    needed=$(needed_libs "$exe") || fail "$readelf -d $exe"
    grep -qx 'libkernpool.so.0' <<<"$needed" ||
        fail "$exe does not list libkernpool.so.0 in DT_NEEDED (has: $(tr '\n' ' ' <<<"$needed"))"
    resolved=$(ldd "$exe" | sed -n 's/^[[:space:]]*libkernpool\.so\.0 => \([^ ]*\) .*/\1/p')
    [ -n "$resolved" ] || fail "ldd cannot resolve libkernpool.so.0 for $exe: $(ldd "$exe" | grep kernpool || true)"
    [ "$(realpath "$resolved")" = "$(realpath "$inst_lib/libkernpool.so.0")" ] ||
        fail "$exe loads $resolved, not the installed $inst_lib/libkernpool.so.0"
}

# expect_static_link EXE: EXE does not need any libkernpool shared object.
expect_static_link() {
    local exe=$1 needed
    needed=$(needed_libs "$exe") || fail "$readelf -d $exe"
    if grep -q '^libkernpool' <<<"$needed"; then
        fail "$exe was meant to link libkernpool.a but needs $(grep '^libkernpool' <<<"$needed")"
    fi
    return 0
}

# run_consumer EXE [env assignments...]: runs EXE with a CPU budget of 4, so
# that the pool starts threads, and requires exit status 0.
run_consumer() {
    local exe=$1
    shift
    echo "running $exe"
    env "$@" KERNPOOL_CPU_BUDGET=4 "$exe" 4 || fail "$exe exited with status $?"
}

# expect_paths_in_prefix FLAG...: every -I and -L in the pkg-config output
# points inside the prefix, and there is at least one of each.
expect_paths_in_prefix() {
    local f dir n_inc=0 n_lib=0
    for f in "$@"; do
        case "$f" in
        -I*) dir=${f#-I}; n_inc=$((n_inc + 1)) ;;
        -L*) dir=${f#-L}; n_lib=$((n_lib + 1)) ;;
        *) continue ;;
        esac
        case "$(realpath -m "$dir")" in
        "$(realpath -m "$prefix")"/*) ;;
        *) fail "pkg-config gave $f, outside the installed prefix $prefix" \
                "(is kernpool.pc relocatable? its prefix= line: $(grep '^prefix=' "$inst_lib/pkgconfig/kernpool.pc"))" ;;
        esac
    done
    [ "$n_inc" -ge 1 ] || fail "pkg-config gave no -I flag for the installed header"
    [ "$n_lib" -ge 1 ] || fail "pkg-config gave no -L flag for the installed library"
}

# ---------------------------------------------------------------------------
begin "1/8 install into a fresh prefix"
rm -rf "$work_dir"
mkdir -p "$work_dir"
install_args=(--install "$build_dir" --prefix "$prefix")
[ -z "$config" ] || install_args+=(--config "$config")
"$cmake" "${install_args[@]}" || fail "cmake --install $build_dir --prefix $prefix"

# ---------------------------------------------------------------------------
begin "2/8 installed files"
for f in "$inst_inc/kernpool.h" \
    "$inst_lib/libkernpool.so" "$inst_lib/libkernpool.so.0" "$inst_lib/libkernpool.a" \
    "$inst_lib/cmake/kernpool/kernpoolConfig.cmake" \
    "$inst_lib/cmake/kernpool/kernpoolConfigVersion.cmake" \
    "$inst_lib/cmake/kernpool/kernpoolTargets.cmake" \
    "$inst_lib/pkgconfig/kernpool.pc"; do
    [ -e "$f" ] || fail "not installed: $f"
    echo "found $f"
done
# kernpool-info, when the build has the command-line programs, installed and
# running against the installed library.
if [ -e "$build_dir/tools/kernpool-info" ]; then
    info="$prefix/bin/kernpool-info"
    [ -x "$info" ] || fail "not installed: $info"
    LD_LIBRARY_PATH="$inst_lib" "$info" --json >/dev/null || fail "$info --json failed"
    echo "found $info, and it runs"
fi
# No package file may name the source or build tree (outside the prefix,
# which happens to lie in the build tree): it is gone on a user's machine.
for f in "$inst_lib"/cmake/kernpool/*.cmake "$inst_lib/pkgconfig/kernpool.pc"; do
    text=$(<"$f")
    text=${text//"$prefix"/}
    case "$text" in
    *"$build_dir"*) fail "$f names the build tree $build_dir" ;;
    *"$source_dir"*) fail "$f names the source tree $source_dir" ;;
    esac
done

# ---------------------------------------------------------------------------
begin "3/8 SONAME of the installed shared library"
soname=$("$readelf" -d "$inst_lib/libkernpool.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
echo "SONAME: ${soname:-<none>}"
[ "$soname" = "libkernpool.so.0" ] || fail "SONAME is '${soname:-<none>}', expected libkernpool.so.0"
[ "$(realpath "$inst_lib/libkernpool.so.0")" = "$(realpath "$inst_lib/libkernpool.so")" ] ||
    fail "libkernpool.so and libkernpool.so.0 are not the same library"

# ---------------------------------------------------------------------------
# cmake_consumer LINK: configures, builds and checks the find_package project.
cmake_consumer() {
    local link=$1 dir="$work_dir/cmake-$1"
    local args=(-S "$consumer_src" -B "$dir"
        -DCMAKE_C_COMPILER="$cc"
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
        -DCMAKE_PREFIX_PATH="$prefix"
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
        -DKP_EXPECT_PREFIX="$prefix"
        -DKP_CONSUMER_LINK="$link")
    [ -z "$generator" ] || args+=(-G "$generator")
    [ -z "$make_program" ] || args+=(-DCMAKE_MAKE_PROGRAM="$make_program")
    if [ ${#san_flags[@]} -gt 0 ]; then
        args+=(-DCMAKE_C_FLAGS="${san_flags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${san_flags[*]}")
    fi
    # Keep the caller's environment from steering find_package elsewhere;
    # consumer/CMakeLists.txt checks where the package was found.
    env -u kernpool_DIR -u kernpool_ROOT -u CMAKE_PREFIX_PATH \
        "$cmake" "${args[@]}" || fail "configuring the find_package consumer ($link)"
    "$cmake" --build "$dir" || fail "building the find_package consumer ($link)"
}

begin "4/8 find_package + kernpool::kernpool (shared)"
cmake_consumer shared
exe="$work_dir/cmake-shared/consumer"
# CMake's build-tree RPATH names the installed lib dir: no LD_LIBRARY_PATH.
expect_shared_link "$exe"
run_consumer "$exe" -u LD_LIBRARY_PATH

begin "5/8 find_package + kernpool::kernpool_static"
cmake_consumer static
exe="$work_dir/cmake-static/consumer"
expect_static_link "$exe"
run_consumer "$exe" -u LD_LIBRARY_PATH

# ---------------------------------------------------------------------------
export PKG_CONFIG_PATH="$inst_lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

begin "6/8 pkg-config metadata"
pc_version=$("$pkg_config" --modversion kernpool) || fail "pkg-config cannot find kernpool in $inst_lib/pkgconfig"
echo "pkg-config --modversion kernpool: $pc_version"
[ "$pc_version" = "$version" ] || fail "kernpool.pc says version $pc_version, the project is $version"
[ "$("$pkg_config" --path kernpool)" = "$inst_lib/pkgconfig/kernpool.pc" ] ||
    fail "pkg-config uses $("$pkg_config" --path kernpool), not the installed kernpool.pc"

begin "7/8 pkg-config --cflags --libs kernpool (shared)"
pc_out=$("$pkg_config" --cflags --libs kernpool) || fail "pkg-config --cflags --libs kernpool"
echo "pkg-config: $pc_out"
read -r -a pc_flags <<<"$pc_out"
expect_paths_in_prefix "${pc_flags[@]}"
exe="$work_dir/pc-shared"
"$cc" "${warn_flags[@]}" "${san_flags[@]}" "$consumer_src/consumer.c" -o "$exe" "${pc_flags[@]}" ||
    fail "compiling and linking the consumer with the pkg-config flags (shared)"
LD_LIBRARY_PATH="$inst_lib" expect_shared_link "$exe"
run_consumer "$exe" LD_LIBRARY_PATH="$inst_lib"

begin "8/8 pkg-config --static --cflags --libs kernpool (libkernpool.a)"
pc_out=$("$pkg_config" --static --cflags --libs kernpool) || fail "pkg-config --static --cflags --libs kernpool"
echo "pkg-config: $pc_out"
read -r -a pc_flags <<<"$pc_out"
expect_paths_in_prefix "${pc_flags[@]}"
# Only kernpool is forced static; the rest of the flags link as the system
# provides them, so hwloc is linked dynamically. --static also expands the
# Libs.private of the modules in kernpool's Requires.private (hwloc), which
# only a static link of those modules needs, and which a distribution may not
# install: Debian 12's hwloc.pc lists -ludev while libhwloc-dev does not pull
# in libudev-dev. Such a flag is dropped, with a note, when the linker cannot
# find the library; had kernpool really needed it, the link fails anyway.
dep_private=" "
for dep in $("$pkg_config" --print-requires-private kernpool | awk '{ print $1 }'); do
    dep_static=$("$pkg_config" --static --libs "$dep") || fail "pkg-config --static --libs $dep"
    dep_shared=" $("$pkg_config" --libs "$dep") " || fail "pkg-config --libs $dep"
    for f in $dep_static; do
        case "$dep_shared" in *" $f "*) ;; *) dep_private+="$f " ;; esac
    done
done
lib_dirs=()
for f in "${pc_flags[@]}"; do
    case "$f" in -L*) lib_dirs+=("${f#-L}") ;; esac
done
# linker_finds NAME: the linker can find libNAME.so or libNAME.a.
linker_finds() {
    local d ext
    for ext in so a; do
        [ "$("$cc" -print-file-name="lib$1.$ext")" != "lib$1.$ext" ] && return 0
        for d in "${lib_dirs[@]}"; do
            [ -e "$d/lib$1.$ext" ] && return 0
        done
    done
    return 1
}
link_flags=()
found=0
for f in "${pc_flags[@]}"; do
    if [ "$f" = "-lkernpool" ]; then
        link_flags+=(-Wl,-Bstatic -lkernpool -Wl,-Bdynamic)
        found=1
    elif [[ "$f" == -l* && "$dep_private" == *" $f "* ]] && ! linker_finds "${f#-l}"; then
        echo "note: dropping $f: only a static link of a dependency needs it," \
            "and lib${f#-l}.so/.a is not installed"
    else
        link_flags+=("$f")
    fi
done
[ "$found" = 1 ] || fail "pkg-config --static --libs kernpool has no -lkernpool"
exe="$work_dir/pc-static"
"$cc" "${warn_flags[@]}" "${san_flags[@]}" "$consumer_src/consumer.c" -o "$exe" "${link_flags[@]}" ||
    fail "compiling and linking the consumer with the pkg-config --static flags"
expect_static_link "$exe"
run_consumer "$exe" -u LD_LIBRARY_PATH

step="done"
echo
echo "install_consumer: all 8 steps passed"
