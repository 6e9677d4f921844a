#!/usr/bin/env bash
# Record what examples/net prints and sends on real seL4 in QEMU, fed the frames of
# examples/net/input.pcap, for test/net-example.test.ts.
#
# usage: test/conformance/net/record.sh SDK_OUT
#
#   SDK_OUT   the OUT_DIR of ../shared/real-sel4/build-sdk.sh (holds sdk-2.0.1)
#
# The example's programs are built from its C sources against sdk-2.0.1, made into an image by
# Microkit 2.0.1's tool and booted by ../shared/real-sel4/qemu-run.sh with a virtio-net device
# as sel4ts's --netdev gives it (the first virtio device: transport 0xa003e00, MAC
# 52:54:00:12:34:56) on a UDP socket backend: `-netdev socket,udp=…,localaddr=…` carries one
# Ethernet frame a datagram. frames.py waits for the client's first line, sends input.pcap's
# frames one at a time, 0.3 s apart, and writes the frames QEMU sends back to a pcap. Twice:
#   modern.txt, examples/net/expected-replies.pcap   -global virtio-mmio.force-legacy=false
#                                                    (examples/net/run-args.txt)
#   legacy.txt, legacy-replies.pcap                  QEMU's default legacy transport
# Kept: the console from the line after "Booting all finished" to "client: done", without the
# monitor's MON|INFO lines; the replies' timestamps are wall-clock times and are not compared.
# Environment: REAL_SEL4 [../shared/real-sel4], WORK [/var/tmp/sel4ts-virtio-net], PORT [47000].
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
REAL_SEL4="${REAL_SEL4:-$root/../shared/real-sel4}"
WORK="${WORK:-/var/tmp/sel4ts-virtio-net}"
PORT="${PORT:-47000}"
[[ $# -eq 1 ]] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SDK="$(cd "$1" && pwd)/sdk-2.0.1"
ex="$root/examples/net"

rm -rf "$WORK"; mkdir -p "$WORK"
for pd in net_driver client; do
  "$REAL_SEL4/build-pd.sh" "$SDK" "$WORK/$pd.elf" "$ex/$pd.c" -- -Wall -Wno-unused-function >/dev/null
done
"$REAL_SEL4/make-image.sh" "$SDK" "$ex/net.system" "$WORK" "$WORK/loader.img" >"$WORK/make-image.log" 2>&1 \
  || { cat "$WORK/make-image.log" >&2; exit 1; }

# run NAME REPLIES [QEMU ARGS...]
run() {
  local name="$1" replies="$2"; shift 2
  : > "$WORK/$name.console"
  python3 "$here/frames.py" feed "$ex/input.pcap" "$replies" "$WORK/$name.console" 'client: 10.0.2.15 at' "$PORT" "$((PORT + 1))" &
  local feeder=$!
  "$REAL_SEL4/qemu-run.sh" "$WORK/loader.img" --timeout "${TIMEOUT:-60}" --until 'client: done' --log "$WORK/$name.console" -- \
    -netdev socket,id=n0,udp=127.0.0.1:$((PORT + 1)),localaddr=127.0.0.1:$PORT -device virtio-net-device,netdev=n0,mac=52:54:00:12:34:56 "$@" >/dev/null 2>&1 \
    || { kill "$feeder" 2>/dev/null; echo "record.sh: $name: 'client: done' did not appear; the console is in $WORK/$name.console" >&2; exit 1; }
  wait "$feeder"
  sed -n '/^Booting all finished/,$p' "$WORK/$name.console" | tail -n +2 | sed '/^client: done/q' | grep -v '^MON|INFO' > "$here/$name.txt"
}
run modern "$ex/expected-replies.pcap" -global virtio-mmio.force-legacy=false
run legacy "$here/legacy-replies.pcap"
qemu-system-aarch64 --version | head -1 > "$here/qemu-version.txt"
echo "recorded: $(wc -l "$here"/*.txt | tail -1)"
