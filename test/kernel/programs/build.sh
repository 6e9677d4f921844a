#!/usr/bin/env bash
# Rebuild the EL0 programs of the kernel model's scenario tests with Debian's AArch64 cross compiler.
set -euo pipefail
cd "$(dirname "$0")"
aarch64-linux-gnu-gcc -O2 -march=armv8-a -mgeneral-regs-only -g0 -static -nostdlib -ffreestanding \
  -fno-stack-protector -fno-pie -no-pie -fno-asynchronous-unwind-tables -Wall -Wno-main \
  -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-Ttext-segment=0x200000 -o scenarios.elf scenarios.c
echo "built test/kernel/programs/scenarios.elf"
