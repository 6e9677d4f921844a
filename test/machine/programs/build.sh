#!/usr/bin/env bash
# Rebuild the EL0 programs of the machine model's tests with Debian's AArch64 cross compiler.
set -euo pipefail
cd "$(dirname "$0")"
aarch64-linux-gnu-gcc -O2 -march=armv8-a -mgeneral-regs-only -g0 -static -nostdlib -ffreestanding \
  -fno-stack-protector -fno-pie -no-pie -fno-asynchronous-unwind-tables -Wall \
  -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-Ttext-segment=0x400000 -o e2e.elf e2e.c
echo "built test/machine/programs/e2e.elf"
