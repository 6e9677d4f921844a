#!/usr/bin/env bash
# Rebuild the build pipeline's test programs with Debian's AArch64 cross compiler.
set -euo pipefail
cd "$(dirname "$0")"
FLAGS="-O2 -march=armv8-a -mgeneral-regs-only -g0 -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie -fno-asynchronous-unwind-tables -Wall -Wno-main -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,separate-code -Wl,-Ttext-segment=0x200000"
aarch64-linux-gnu-gcc $FLAGS -o minimal-pd.elf minimal.c
aarch64-linux-gnu-gcc $FLAGS -DMONITOR -o minimal-monitor.elf minimal.c
echo "built test/build/programs/minimal-pd.elf and minimal-monitor.elf"
