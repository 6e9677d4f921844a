#!/usr/bin/env bash
# Record what real seL4 prints for the conformance scenarios, and rebuild their programs.
#
# usage: test/conformance/record.sh SDK_OUT [SCENARIO...]
#
#   SDK_OUT   the OUT_DIR of ../shared/real-sel4/build-sdk.sh (holds sdk-2.0.1 and sdk-2.3)
#   SCENARIO  names under test/conformance/scenarios/ (default: all)
#
# For each scenario: every <program_image path="X.elf"/> of its .system is built from X.c
# twice with ../shared/real-sel4/build-pd.sh: against sdk-2.0.1 (into a work folder; Microkit
# 2.0.1 is the version whose tool makes bootable images here) and against sdk-2.3 (into the
# scenario folder: the committed program that sel4ts runs in `npm test`). The 2.0.1 image boots
# in qemu-system-aarch64 until the end line; the console from the first line after the kernel's
# "Booting all finished" to the end line, without the monitor's MON|INFO lines (2.0.1's
# bootstrap lines; sel4ts models 2.3's monitor), is written to real-output.txt.
# Environment: REAL_SEL4 [../shared/real-sel4 from the project root], WORK [/var/tmp/sel4ts-conformance].
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
REAL_SEL4="${REAL_SEL4:-$root/../shared/real-sel4}"
WORK="${WORK:-/var/tmp/sel4ts-conformance}"
END_LINE='== conformance end =='

[[ $# -ge 1 ]] || { sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SDK_OUT="$(cd "$1" && pwd)"; shift
[[ -d "$SDK_OUT/sdk-2.0.1" && -d "$SDK_OUT/sdk-2.3" ]] || { echo "record.sh: $SDK_OUT has no sdk-2.0.1 and sdk-2.3" >&2; exit 1; }

if [[ $# -gt 0 ]]; then scenarios=("$@"); else
  scenarios=(); for d in "$here"/scenarios/*/; do scenarios+=("$(basename "$d")"); done
fi

for s in "${scenarios[@]}"; do
  dir="$here/scenarios/$s"
  system=("$dir"/*.system)
  [[ -f "${system[0]}" ]] || { echo "record.sh: $s has no .system file" >&2; exit 1; }
  work="$WORK/$s"
  rm -rf "$work"; mkdir -p "$work/201"
  for elf in $(grep -o 'program_image path="[^"]*"' "${system[0]}" | sed 's/.*path="\(.*\)"/\1/' | sort -u); do
    src="$dir/${elf%.elf}.c"
    [[ -f "$src" ]] || { echo "record.sh: $s: no source $src for $elf" >&2; exit 1; }
    flags=(-- -I"$here/common" -Wall -Wno-unused-function)
    "$REAL_SEL4/build-pd.sh" "$SDK_OUT/sdk-2.0.1" "$work/201/$elf" "$src" "${flags[@]}" >/dev/null
    "$REAL_SEL4/build-pd.sh" "$SDK_OUT/sdk-2.3" "$dir/$elf" "$src" "${flags[@]}" >/dev/null
    aarch64-linux-gnu-strip --strip-debug "$dir/$elf"
  done
  "$REAL_SEL4/make-image.sh" "$SDK_OUT/sdk-2.0.1" "${system[0]}" "$work/201" "$work/loader.img" >"$work/make-image.log" 2>&1 \
    || { cat "$work/make-image.log" >&2; exit 1; }
  if ! "$REAL_SEL4/qemu-run.sh" "$work/loader.img" --timeout "${TIMEOUT:-60}" --until "$END_LINE" --log "$work/console.txt" >/dev/null 2>&1; then
    echo "record.sh: $s: '$END_LINE' did not appear; the console is in $work/console.txt" >&2
    tail -20 "$work/console.txt" >&2
    exit 1
  fi
  sed -n '/^Booting all finished/,$p' "$work/console.txt" | tail -n +2 | sed "/^$END_LINE\$/q" | grep -v '^MON|INFO' > "$dir/real-output.txt"
  echo "recorded $s: $(wc -l < "$dir/real-output.txt") lines"
done
