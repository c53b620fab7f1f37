#!/usr/bin/env bash
# Installs the built tree into a scratch prefix and imports the installed
# module from there: it must be the prefix's kernpool module, and it must
# load the prefix's libkernpool (found through its relative RPATH, with no
# LD_LIBRARY_PATH), not the build tree's.
#   install_check.sh CMAKE BUILD_DIR WORK_DIR PYTHON MODULE_DIR LIBDIR
set -euo pipefail
cmake=$1 build_dir=$2 work_dir=$3 python=$4 module_dir=$5 libdir=$6
case "$work_dir" in
"$build_dir"/?*) ;;
*) echo "install_check: $work_dir must lie inside $build_dir" >&2; exit 2 ;;
esac
prefix="$work_dir/prefix"
rm -rf "$work_dir"
mkdir -p "$work_dir"
"$cmake" --install "$build_dir" --prefix "$prefix" >/dev/null
cd "$work_dir"   # not the source tree: nothing importable by accident
env -u LD_LIBRARY_PATH PYTHONPATH="$prefix/$module_dir" "$python" - "$prefix" "$libdir" <<'PY'
import os, sys
prefix, libdir = sys.argv[1], sys.argv[2]
import numpy as np
import kernpool
here = os.path.realpath(kernpool.__file__)
assert here.startswith(os.path.realpath(prefix) + "/"), here
with open("/proc/self/maps") as f:
    libs = {line.split()[-1] for line in f if "libkernpool.so" in line}
want = os.path.realpath(os.path.join(prefix, libdir, "libkernpool.so.0"))
assert {os.path.realpath(p) for p in libs} == {want}, libs
x = np.arange(10.0)
assert kernpool.sum(x, workers=-1) == 45.0
print("installed module:", here)
print("loads:", want)
PY
