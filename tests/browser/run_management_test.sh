#!/usr/bin/env bash
# The management page's browser test (tests/browser/management_test.mjs) against a real edge:
# `spindle run` with three simulated machines and the management page on loopback, a fourth
# simulated SHDR adapter for the "add a machine" step, Debian's chromium. Everything runs on
# 127.0.0.1 with free ports and is stopped by PID. Screenshots: <build>/test-artifacts/management/.
#   tests/browser/run_management_test.sh SPINDLE_BINARY BUILD_DIR
set -euo pipefail
spindle=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
peer="$build/test-peers/browser"
chromium=${CHROMIUM:-/usr/bin/chromium}
# Missing tools are a failure, not a skip: scripts/setup installs both.
[ -x "$chromium" ] || { echo "FAIL: $chromium is missing (scripts/setup installs chromium)"; exit 1; }
[ -d "$peer/node_modules/puppeteer-core" ] || {
  echo "FAIL: $peer has no puppeteer-core (scripts/setup installs the browser test peer)"; exit 1; }

dir=$(mktemp -d /tmp/spindle-browser.XXXXXX)
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

# Free ports: one for the page, three consecutive for the simulator, one for the fourth adapter.
read -r page sim extra < <(python3 - <<'PY'
import socket
def free(n=1):
    while True:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); base = s.getsockname()[1]; s.close()
        ok = True
        for p in range(base, base + n):
            t = socket.socket()
            try: t.bind(("127.0.0.1", p))
            except OSError: ok = False
            t.close()
        if ok and base + n < 65000: return base
print(free(), free(3), free())
PY
)

cat > "$dir/spindle.yaml" <<YAML
edge:
  id: browser-edge
  data_dir: $dir/data
  status_interval: 0s
simulator:
  enabled: true
  machines: 3
  names: [mill-1, mill-2, lathe-3]
  base_port: $sim
  time_scale: 4.0
net:
  dns_preferred: []
  resolv_conf: ""
  ntp_servers: []
web:
  enabled: false
  management:
    bind: 127.0.0.1
    port: $page
machines:
  - id: mill-1
    type: shdr
    host: 127.0.0.1
    port: $sim
  - id: mill-2
    type: shdr
    host: 127.0.0.1
    port: $((sim + 1))
  - id: lathe-3
    type: shdr
    host: 127.0.0.1
    port: $((sim + 2))
YAML

"$spindle" run --config "$dir/spindle.yaml" > "$dir/edge.log" 2>&1 &
pids+=($!)
"$spindle" sim --machines 1 --base-port "$extra" --names browser_m4 > "$dir/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [ -f "$dir/data/management-setup-code" ] && grep -q "management page on" "$dir/edge.log" && break
  sleep 0.1
done
grep -q "management page on" "$dir/edge.log" || { echo "FAIL: the edge did not start"; cat "$dir/edge.log"; exit 1; }

shots="$build/test-artifacts/management"
rm -rf "$shots"
status=0
SPINDLE_URL="http://127.0.0.1:$page/" \
SPINDLE_SETUP_CODE_FILE="$dir/data/management-setup-code" \
SPINDLE_CONFIG_FILE="$dir/spindle.yaml" \
SPINDLE_SCREENSHOTS="$shots" \
SPINDLE_EXTRA_MACHINE_PORT="$extra" \
SPINDLE_BROWSER_PEER="$peer" \
CHROMIUM="$chromium" \
  node "$here/management_test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- the edge's log (last 60 lines)"
  tail -60 "$dir/edge.log"
fi
exit "$status"
