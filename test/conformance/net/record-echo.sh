#!/usr/bin/env bash
# Record what echo/echo.c prints on real seL4 in QEMU with QEMU's user networking, while
# echo-client.mjs talks to it through hostfwd, for test/net-echo.test.ts.
#
# usage: test/conformance/net/record-echo.sh SDK_OUT
#
#   SDK_OUT   the OUT_DIR of ../shared/real-sel4/build-sdk.sh (holds sdk-2.0.1)
#
# QEMU: -netdev user,id=n0,hostfwd=tcp:127.0.0.1:HOST_TCP-:1236,hostfwd=udp:127.0.0.1:HOST_UDP-:1235
# -device virtio-net-device,netdev=n0 -global virtio-mmio.force-legacy=false (the first virtio
# device: transport 0xa003e00). Writes echo.txt (the console after "Booting all finished",
# without MON|INFO lines) and echo-client.txt (what the host got back).
# Environment: REAL_SEL4 [../shared/real-sel4], WORK [/var/tmp/sel4ts-net-echo].
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
REAL_SEL4="${REAL_SEL4:-$root/../shared/real-sel4}"
WORK="${WORK:-/var/tmp/sel4ts-net-echo}"
[[ $# -eq 1 ]] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SDK="$(cd "$1" && pwd)/sdk-2.0.1"
HOST_TCP="${HOST_TCP:-18236}" HOST_UDP="${HOST_UDP:-18235}"

rm -rf "$WORK"; mkdir -p "$WORK"
"$REAL_SEL4/build-pd.sh" "$SDK" "$WORK/echo.elf" "$here/echo/echo.c" -- -Wall >/dev/null
"$REAL_SEL4/make-image.sh" "$SDK" "$here/echo/echo.system" "$WORK" "$WORK/loader.img" >"$WORK/make-image.log" 2>&1 \
  || { cat "$WORK/make-image.log" >&2; exit 1; }
(
  for _ in $(seq 100); do grep -q 'echo: DHCP offers' "$WORK/echo.console" 2>/dev/null && break; sleep 0.2; done
  node "$here/echo-client.mjs" "$HOST_TCP" "$HOST_UDP" > "$here/echo-client.txt"
) &
client=$!
"$REAL_SEL4/qemu-run.sh" "$WORK/loader.img" --timeout "${TIMEOUT:-60}" --until 'echo: TCP connection closed' --log "$WORK/echo.console" -- \
  -global virtio-mmio.force-legacy=false \
  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$HOST_TCP-:1236,hostfwd=udp:127.0.0.1:$HOST_UDP-:1235" -device virtio-net-device,netdev=n0 >/dev/null 2>&1 \
  || { echo "record-echo.sh: the connection did not close; the console is in $WORK/echo.console" >&2; exit 1; }
wait "$client"
sed -n '/^Booting all finished/,$p' "$WORK/echo.console" | tail -n +2 | grep -v '^MON|INFO' | tr -d '\r' > "$here/echo.txt"
