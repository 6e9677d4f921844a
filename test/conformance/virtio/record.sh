#!/usr/bin/env bash
# Record what examples/blk prints on real seL4 in QEMU with a virtio-blk disk, and the disk
# QEMU leaves behind, for test/virtio-conformance.test.ts.
#
# usage: test/conformance/virtio/record.sh SDK_OUT
#
#   SDK_OUT   the OUT_DIR of ../shared/real-sel4/build-sdk.sh (holds sdk-2.0.1)
#
# The example's programs are built from its C sources against sdk-2.0.1, made into an image
# by Microkit 2.0.1's tool and booted by ../shared/real-sel4/qemu-run.sh, with the disk given
# to QEMU as sel4ts's --drive gives it (`-drive file=…,if=none,format=raw,id=hd0
# -device virtio-blk-device,drive=hd0`, the first virtio device: transport 0xa003e00), three
# times:
#   modern.txt   -global virtio-mmio.force-legacy=false, snapshot=on (examples/blk/run-args.txt)
#   legacy.txt   QEMU's default legacy transport: the driver must refuse it
#   written.txt  modern, without snapshot: the console, then the SHA-256 of the disk afterwards
#   readonly.txt modern, readonly=on: the write fails
# And probe.c (the registers of three transports: a disk, a console, none), for the legacy and
# the modern layout, into probe-legacy.txt and probe-modern.txt; probe.elf, the committed
# program sel4ts runs, is built from it against sdk-2.3.
# And console.c, a virtio-console driver, with console-input.txt typed into the device through a
# QEMU pipe chardev (QEMU 7.2's file chardev has no input-path): console.txt (the debug console)
# and console-out.txt (what the guest wrote to the virtio-console); console.elf as probe.elf.
# Kept: the console from the line after "Booting all finished" to "client: done" (or the
# driver's refusal), without the monitor's MON|INFO lines.
# Environment: REAL_SEL4 [../shared/real-sel4], WORK [/var/tmp/sel4ts-virtio-blk].
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
REAL_SEL4="${REAL_SEL4:-$root/../shared/real-sel4}"
WORK="${WORK:-/var/tmp/sel4ts-virtio-blk}"
[[ $# -eq 1 ]] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SDK="$(cd "$1" && pwd)/sdk-2.0.1"
ex="$root/examples/blk"

rm -rf "$WORK"; mkdir -p "$WORK"
for pd in blk_driver client; do
  "$REAL_SEL4/build-pd.sh" "$SDK" "$WORK/$pd.elf" "$ex/$pd.c" -- -Wall -Wno-unused-function >/dev/null
done
"$REAL_SEL4/make-image.sh" "$SDK" "$ex/blk.system" "$WORK" "$WORK/loader.img" >"$WORK/make-image.log" 2>&1 \
  || { cat "$WORK/make-image.log" >&2; exit 1; }

# run NAME UNTIL DRIVE_OPTIONS [QEMU ARGS...]
run() {
  local name="$1" until="$2" drive="$3"; shift 3
  cp "$ex/disk.raw" "$WORK/disk.raw"
  "$REAL_SEL4/qemu-run.sh" "$WORK/loader.img" --timeout "${TIMEOUT:-60}" --until "$until" --log "$WORK/$name.console" -- \
    -drive "file=$WORK/disk.raw,if=none,format=raw,id=hd0$drive" -device virtio-blk-device,drive=hd0 "$@" >/dev/null 2>&1 \
    || { echo "record.sh: $name: '$until' did not appear; the console is in $WORK/$name.console" >&2; exit 1; }
  sed -n '/^Booting all finished/,$p' "$WORK/$name.console" | tail -n +2 | sed "/^$until/q" | grep -v '^MON|INFO' > "$here/$name.txt"
}
run modern 'client: done' ',snapshot=on' -global virtio-mmio.force-legacy=false
run legacy 'blk_driver: the transport is legacy' ''
run readonly 'client: done' ',readonly=on' -global virtio-mmio.force-legacy=false
run written 'client: done' '' -global virtio-mmio.force-legacy=false
# QEMU has flushed and closed the file once qemu-run.sh has stopped it.
echo "disk sha256 $(sha256sum "$WORK/disk.raw" | cut -d' ' -f1)" >> "$here/written.txt"

mkdir -p "$WORK/probe"
"$REAL_SEL4/build-pd.sh" "$SDK" "$WORK/probe/probe.elf" "$here/probe.c" -- -Wall -Wno-unused-function >/dev/null
"$REAL_SEL4/build-pd.sh" "$(dirname "$SDK")/sdk-2.3" "$here/probe.elf" "$here/probe.c" -- -Wall -Wno-unused-function >/dev/null
aarch64-linux-gnu-strip --strip-debug "$here/probe.elf"
# From the work folder: the tool would take the sdk-2.3 probe.elf of the current folder.
(cd "$WORK/probe" && "$REAL_SEL4/make-image.sh" "$SDK" "$here/probe.system" "$WORK/probe" "$WORK/probe/loader.img") >"$WORK/probe/make-image.log" 2>&1 \
  || { cat "$WORK/probe/make-image.log" >&2; exit 1; }
for legacy in true false; do
  name=probe-$([[ $legacy == true ]] && echo legacy || echo modern)
  cp "$ex/disk.raw" "$WORK/disk.raw"
  "$REAL_SEL4/qemu-run.sh" "$WORK/probe/loader.img" --timeout "${TIMEOUT:-60}" --until 'probe: end' --log "$WORK/$name.console" -- \
    -global virtio-mmio.force-legacy=$legacy -drive "file=$WORK/disk.raw,if=none,format=raw,id=hd0" -device virtio-blk-device,drive=hd0 \
    -device virtio-serial-device -device virtconsole >/dev/null 2>&1 || { echo "record.sh: $name did not end" >&2; exit 1; }
  grep '^probe' "$WORK/$name.console" > "$here/$name.txt"
done

mkdir -p "$WORK/console"
"$REAL_SEL4/build-pd.sh" "$SDK" "$WORK/console/console.elf" "$here/console.c" -- -Wall -Wno-unused-function >/dev/null
"$REAL_SEL4/build-pd.sh" "$(dirname "$SDK")/sdk-2.3" "$here/console.elf" "$here/console.c" -- -Wall -Wno-unused-function >/dev/null
aarch64-linux-gnu-strip --strip-debug "$here/console.elf"
(cd "$WORK/console" && "$REAL_SEL4/make-image.sh" "$SDK" "$here/console.system" "$WORK/console" "$WORK/console/loader.img") >"$WORK/console/make-image.log" 2>&1 \
  || { cat "$WORK/console/make-image.log" >&2; exit 1; }
mkfifo "$WORK/console/p.in" "$WORK/console/p.out"
cat "$WORK/console/p.out" > "$here/console-out.txt" &
reader=$!
(sleep 4; cat "$here/console-input.txt" > "$WORK/console/p.in") &
"$REAL_SEL4/qemu-run.sh" "$WORK/console/loader.img" --timeout "${TIMEOUT:-60}" --until 'console: end' --log "$WORK/console/console.txt" -- \
  -global virtio-mmio.force-legacy=false -device virtio-serial-device -chardev pipe,id=c0,path="$WORK/console/p" \
  -device virtconsole,chardev=c0 >/dev/null 2>&1 || { echo "record.sh: console did not end" >&2; exit 1; }
wait "$reader" || true
sed -n '/^Booting all finished/,$p' "$WORK/console/console.txt" | tail -n +2 | sed '/^console: end/q' | grep -v '^MON|INFO' > "$here/console.txt"
qemu-system-aarch64 --version | head -1 > "$here/qemu-version.txt"
echo "recorded: $(wc -l "$here"/*.txt | tail -1)"
