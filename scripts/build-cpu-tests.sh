#!/usr/bin/env bash
# Rebuild the CPU test programs (test/cpu/programs/*.c) with Debian's cross compilers, and,
# when qemu-aarch64 is present, record QEMU's output for each as the expected output.
#   scripts/build-cpu-tests.sh [OUTDIR]     (default: test/cpu/programs/build)
set -euo pipefail
cd "$(dirname "$0")/../test/cpu/programs"
out="${1:-build}"
common="-g0 -fno-math-errno -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables -Wall -Wno-unused-function"
progs="int fp simd atomics mem"
build() { # variant cc flags…
  local v=$1 cc=$2; shift 2
  mkdir -p "$out/$v"
  for p in $progs atomics-lse; do
    local src=$p.c extra=""
    if [ "$p" = atomics-lse ]; then src=atomics.c; extra="-march=armv8.1-a"; fi
    # -N: one read/write/execute segment, so mem.c can patch its own code.
    $cc $common "$@" $extra -Wl,-N -o "$out/$v/$p.elf" "$src" rt.c -lgcc
  done
}
build gcc-O2 aarch64-linux-gnu-gcc -O2 -march=armv8-a -mno-outline-atomics -no-pie
build gcc-O0 aarch64-linux-gnu-gcc -O0 -march=armv8-a -mno-outline-atomics -no-pie
build clang-O2 clang --target=aarch64-linux-gnu -fuse-ld=lld -O2 -march=armv8-a -mno-outline-atomics -L"$(dirname "$(aarch64-linux-gnu-gcc -print-libgcc-file-name)")"
if command -v qemu-aarch64 >/dev/null; then
  for f in "$out"/*/*.elf; do
    status=0
    qemu-aarch64 -cpu cortex-a76 "$f" > "${f%.elf}.out" 2>/dev/null || status=$?
    [ "$status" = 0 ] || echo "exit status $status" >> "${f%.elf}.out"
  done
fi
echo "built $(ls "$out"/*/*.elf | wc -l) programs in $out"
