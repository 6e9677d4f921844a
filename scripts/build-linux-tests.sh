#!/usr/bin/env bash
# Rebuild the static Linux test programs (test/linux/programs: glibc C and C++) with Debian's
# cross compilers and, when qemu-aarch64 is present, record QEMU's stdout and exit status for
# each run in runs.txt as the expected output. The runs use an empty environment (env -i), as
# `sel4ts machine exec` gives by default, and run in test/linux/programs (for host files).
#   scripts/build-linux-tests.sh [OUTDIR]     (default: test/linux/programs/build)
set -euo pipefail
cd "$(dirname "$0")/../test/linux/programs"
out="$(mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)"
# -s: stripped, to keep the committed programs small.
aarch64-linux-gnu-gcc -O2 -static -s -Wall -o "$out/hello.elf" hello.c
aarch64-linux-gnu-gcc -O2 -static -s -Wall -o "$out/libc.elf" libc.c
aarch64-linux-gnu-g++ -O2 -static -s -Wall -o "$out/iostream.elf" iostream.cpp
if command -v qemu-aarch64 >/dev/null; then
  while read -r name prog args; do
    [ -n "$name" ] && [ "${name#\#}" = "$name" ] || continue
    status=0
    # shellcheck disable=SC2086 # the arguments are words
    env -i qemu-aarch64 -cpu cortex-a76 "$out/$prog.elf" $args > "$out/$name.out" 2>/dev/null || status=$?
    [ "$status" = 0 ] || echo "exit status $status" >> "$out/$name.out"
  done < runs.txt
fi
echo "built $(ls "$out"/*.elf | wc -l) programs in $out"
