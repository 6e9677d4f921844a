#!/usr/bin/env bash
# Build the IPC benchmark programs against a real Microkit SDK.
#
# usage: bench/ipc/build.sh SDK_DIR [OUT_DIR]
#
#   SDK_DIR   an SDK made by ../shared/real-sel4/build-sdk.sh: sdk-2.3 for the committed ELFs
#             that sel4ts runs, sdk-2.0.1 for images that boot on real seL4 in QEMU
#   OUT_DIR   where the ELFs go, as OUT_DIR/ppc/*.elf and OUT_DIR/notify/*.elf
#             [default: bench/ipc itself, next to the sources]
#
# Environment: REAL_SEL4 [../shared/real-sel4 from the project root].
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
REAL_SEL4="${REAL_SEL4:-$root/../shared/real-sel4}"

[[ $# -ge 1 && $# -le 2 ]] || { sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SDK="$1"
OUT="${2:-$here}"

for system in ppc notify; do
  for src in "$here/$system"/*.c; do
    name="$(basename "${src%.c}")"
    elf="$OUT/$system/$name.elf"
    "$REAL_SEL4/build-pd.sh" "$SDK" "$elf" "$src" -- -I"$here/common" -Wall -Wno-unused-function >/dev/null
    # The committed ELFs lose their debug sections (the symbol table stays: the bench writes
    # bench_rounds, the tools microkit_name). Not the others: --strip-debug also drops 2.0.1's
    # __sel4_ipc_buffer_obj, which the 2.0.1 tool needs.
    [[ "$OUT" == "$here" ]] && aarch64-linux-gnu-strip --strip-debug "$elf"
  done
done
echo "built the IPC benchmark programs in $OUT against $(cat "$SDK/VERSION" 2>/dev/null || echo "$SDK")"
