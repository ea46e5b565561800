#!/usr/bin/env bash
# Interop test (run by .ci/run): a real BIND 9 resolver with `response-policy`, secondary of
# kzdns's live RPZ zone, rewrites the names kzdns has suspended; after `kzdns suspend`, a new
# transfer (`rndc retransfer`) makes BIND rewrite the new name too. Loopback only; it stops only
# the processes it started. Needs: named, rndc, rndc-confgen (bind9), dig (dnsutils).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug/kzdns}
[ -x "$BIN" ] || cargo build --locked
WORK=$(mktemp -d /tmp/kzdns-bind.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "bind-rpz interop: FAILED: $*" >&2; echo "--- kzdns log" >&2; tail -30 "$WORK/kzdns.log" >&2; echo "--- named log" >&2; tail -30 "$WORK/named.log" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# kzdns: the shipped zones, mode audit (its own answers stay unrewritten, so a rewrite seen through
# BIND is BIND's), the shipped allowlist, one suspension, the RPZ feed open to 127.0.0.1.
mkdir -p "$WORK/policy"
cp -r zones "$WORK/zones"
cp -r policy/allowlist "$WORK/policy/allowlist"
printf 'domain,reason,reference,since,note\nphish-bank.kz,phishing,KZ-CERT 1,2026-11-28,\n' > "$WORK/policy/suspensions.csv"
cat > "$WORK/kzdns.toml" <<TOML
[dns]
listen = ["127.0.0.1:0"]
[zones]
dir = "zones"
allow_transfer = ["127.0.0.1"]
[policy]
dir = "policy"
mode = "audit"
[notice]
listen = "127.0.0.1:0"
[metrics]
listen = "127.0.0.1:0"
TOML
"$BIN" serve --config "$WORK/kzdns.toml" > "$WORK/kzdns.log" 2>&1 &
pids+=($!)
KZ_PORT=""
for _ in $(seq 200); do
  KZ_PORT=$(grep -o 'listening on udp 127.0.0.1:[0-9]*' "$WORK/kzdns.log" | head -1 | sed 's/.*://') || true
  [ -n "$KZ_PORT" ] && break
  sleep 0.05
done
[ -n "$KZ_PORT" ] || fail "kzdns did not start"

# BIND: a resolver for kz. (forwarding to kzdns) with kzdns's RPZ zone as a secondary.
NAMED_PORT=$(free_port)
RNDC_PORT=$(free_port)
rndc-confgen -a -c "$WORK/rndc.key" -k rndc-key > /dev/null 2>&1
cat > "$WORK/named.conf" <<CONF
include "$WORK/rndc.key";
controls { inet 127.0.0.1 port $RNDC_PORT allow { 127.0.0.1; } keys { "rndc-key"; }; };
options {
  directory "$WORK";
  pid-file "$WORK/named.pid";
  listen-on port $NAMED_PORT { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { 127.0.0.1; };
  allow-recursion { 127.0.0.1; };
  dnssec-validation no;
  notify no;
  qname-minimization off;
  # min-update-interval 0: apply each new version of the feed at once (BIND waits 60 s by default).
  response-policy { zone "rpz.kz" min-update-interval 0; };
};
zone "rpz.kz" { type secondary; primaries { 127.0.0.1 port $KZ_PORT; }; file "rpz.kz.db"; };
zone "kz" { type forward; forward only; forwarders { 127.0.0.1 port $KZ_PORT; }; };
zone "." { type hint; file "$WORK/root.hints"; };
CONF
printf '. 3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.0.0.1\n' > "$WORK/root.hints"
named -g -c "$WORK/named.conf" -u root > "$WORK/named.log" 2>&1 &
pids+=($!)

ask() { dig @127.0.0.1 -p "$NAMED_PORT" +time=2 +tries=1 "$@" 2>/dev/null || true; }
# Wait until BIND has transferred the RPZ zone and rewrites the suspended name to the notice host.
rewritten() { ask "$1" A | grep -qE "^$1\.[[:space:]].*CNAME[[:space:]]+notice\.nic\.kz\."; }
ok=""
for _ in $(seq 100); do rewritten phish-bank.kz && { ok=1; break; }; sleep 0.2; done
[ -n "$ok" ] || fail "BIND did not rewrite phish-bank.kz from the RPZ feed"
# A subdomain via the wildcard trigger, and a name not listed passes through untouched.
rewritten www.phish-bank.kz || fail "BIND did not rewrite www.phish-bank.kz"
ask cdn.shop.kz A | grep -qE "^cdn\.shop\.kz\.[[:space:]].*A[[:space:]]+198\.51\.100\.20" || fail "cdn.shop.kz was not passed through before its suspension"

# Suspend a new name with the operator CLI; kzdns reloads live and raises the RPZ serial.
"$BIN" suspend cdn.shop.kz --reason malware --reference "KZ-CERT 2" --config "$WORK/kzdns.toml" > /dev/null
for _ in $(seq 100); do
  [ "$(grep -c 'policy reloaded' "$WORK/kzdns.log")" -ge 1 ] && break
  sleep 0.05
done
rndc -k "$WORK/rndc.key" -s 127.0.0.1 -p "$RNDC_PORT" retransfer rpz.kz > /dev/null
ok=""
for _ in $(seq 100); do rewritten cdn.shop.kz && { ok=1; break; }; sleep 0.2; done
[ -n "$ok" ] || fail "after kzdns suspend + retransfer, BIND did not rewrite cdn.shop.kz"
transfers=$(grep -c 'RPZ transfer' "$WORK/kzdns.log")
echo "bind-rpz interop: BIND 9 rewrote phish-bank.kz, www.phish-bank.kz and, after kzdns suspend + retransfer, cdn.shop.kz ($transfers transfers from kzdns)"
echo "bind-rpz interop: 1 passed, 0 failed"
