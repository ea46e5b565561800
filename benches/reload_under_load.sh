#!/usr/bin/env bash
# Scale benchmark for issue 4: 1,000,000 suspensions, 30 live reloads while dnsperf queries the
# server, and nothing lost. Loopback only; stops only the processes it started.
#
#   benches/reload_under_load.sh            # needs dnsperf (apt-get install dnsperf) and a release build
#   SUSPENSIONS=1000000 RELOADS=30 DURATION=40 benches/reload_under_load.sh
#
# Reports: start-up load time, time of each reload (from the server's log), resident memory
# before/after, and dnsperf's sent / lost / rcode counts.
set -euo pipefail
cd "$(dirname "$0")/.."

SUSPENSIONS=${SUSPENSIONS:-1000000}
RELOADS=${RELOADS:-30}
DURATION=${DURATION:-40}
WORK=${WORK:-$(mktemp -d /tmp/kzdns-reload.XXXXXX)}
BIN=${BIN:-target/release/kzdns}
[ -x "$BIN" ] || cargo build --release --locked
command -v dnsperf >/dev/null || { echo "dnsperf is needed (apt-get install dnsperf)" >&2; exit 1; }

mkdir -p "$WORK/zones" "$WORK/policy/allowlist"
cp policy/allowlist/* "$WORK/policy/allowlist/"
cp zones/kz.zone zones/shop.kz.zone "$WORK/zones/"
python3 - "$WORK" "$SUSPENSIONS" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/policy/suspensions.csv", "w") as f:
    f.write("domain,reason,reference,since,note\n")
    for i in range(n):
        f.write(f"s{i}.kz,phishing,CERT-{i},2026-11-01,\n")
with open(f"{work}/queries.txt", "w") as f:
    for i in range(50000):
        # a mix: suspended names, their subdomains, and the shipped zones' own names
        j = (i * 7919) % n
        f.write(("s%d.kz A\n" % j) if i % 3 == 0 else ("www.s%d.kz AAAA\n" % j) if i % 3 == 1 else "shop.kz A\n")
PY
cat > "$WORK/kzdns.toml" <<TOML
[dns]
listen = ["127.0.0.1:0"]
[zones]
dir = "zones"
[policy]
dir = "policy"
[notice]
listen = "127.0.0.1:0"
[metrics]
listen = "127.0.0.1:0"
TOML

rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status"; }
started=$(date +%s.%N)
RUST_LOG=info "$BIN" serve --config "$WORK/kzdns.toml" > "$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
port=""
for _ in $(seq 600); do
  port=$(grep -o 'listening on udp 127.0.0.1:[0-9]*' "$WORK/server.log" | head -1 | sed 's/.*://') || true
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$WORK/server.log"; exit 1; }
ready=$(date +%s.%N)
rss_start=$(rss $PID)

dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$DURATION" -c 10 -q 100 -T 1 > "$WORK/dnsperf.txt" 2>&1 &
PERF=$!
sleep 3
for i in $(seq "$RELOADS"); do
  # An editor-style save: a new file renamed over the old one, one line more or less each time.
  cp "$WORK/policy/suspensions.csv" "$WORK/policy/.next.csv"
  if (( i % 2 )); then echo "extra$i.kz,malware,,2026-12-01," >> "$WORK/policy/.next.csv"; fi
  mv "$WORK/policy/.next.csv" "$WORK/policy/suspensions.csv"
  # Wait for this reload to finish before the next edit, so each one is a full reload.
  for _ in $(seq 100); do
    [ "$(grep -c 'policy reloaded' "$WORK/server.log")" -ge "$i" ] && break
    sleep 0.05
  done
done
wait $PERF
rss_end=$(rss $PID)

echo "suspensions: $SUSPENSIONS; start-up to listening: $(echo "$ready - $started" | bc) s; RSS after start: ${rss_start} MiB, after ${RELOADS} reloads: ${rss_end} MiB"
echo "reloads logged: $(grep -c 'policy reloaded' "$WORK/server.log"), rejected: $(grep -c 'reload rejected' "$WORK/server.log" || true)"
grep -o 'took_ms=[0-9]*' "$WORK/server.log" | sed 's/took_ms=//' | sort -n | awk '{a[NR]=$1} END {print "reload time (parse + validate + build + diff + swap), ms: min " a[1] ", median " a[int((NR+1)/2)] ", max " a[NR]}'
grep -E 'Queries sent|Queries completed|Queries lost|Response codes|Queries per second|Average Latency' "$WORK/dnsperf.txt"
lost=$(awk '/Queries lost/ {print $3}' "$WORK/dnsperf.txt")
[ "$lost" = "0" ] && echo "reload under load: no query lost" || { echo "reload under load: $lost queries LOST"; exit 1; }
