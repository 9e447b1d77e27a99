#!/usr/bin/env bash
# The end-to-end demo: a stub CAD gateway, a stub flag registry, a patrol car
# (unit 2A31) and a co-responder clinician unit (CR7), each a stub MDT host
# loading the real plugin, on loopback, with fictional flag data. 2A31 gets
# its flags from the registry's sync service; CR7 imports the export file by
# hand. Everything it starts, it stops. Exits 0 only when the officer's screen
# shows who accepted.
#   usage: demo/run-demo.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
cli=$build/cli/mdt-coresponder
cad=$build/vendor_stubs/stub_cad/stub-cad
host=$build/vendor_stubs/stub_mdt_host/stub-mdt-host
gps=$build/vendor_stubs/stub_gps/stub-gps
registry=$build/vendor_stubs/stub_registry/stub-registry
plugin=$build/plugin/libmdt_coresponder.so
pub_port=${DEMO_PUB_PORT:-15556}
router_port=${DEMO_ROUTER_PORT:-15557}
registry_port=${DEMO_REGISTRY_PORT:-$((pub_port + 4))}

work=$(mktemp -d -t mdt-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Waits until FILE has a line matching PATTERN (grep -E), up to SECONDS.
wait_for() {
  local file=$1 pattern=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

mkdir -p "$work/2A31" "$work/CR7" "$work/registry"
counts() { tr -d ' \n' <"$1" | grep -oE '"(premises|subjects|flags|history)":[0-9]+' | tr '\n' ' '; }

say "Starting the flag registry stand-in (stub-registry) serving the fictional export"
cp "$here/registry.jsonl" "$work/registry/"
"$registry" --serve "tcp://127.0.0.1:$registry_port" --dir "$work/registry" >"$work/registry.log" 2>&1 &
pids+=($!)
if ! wait_for "$work/registry.log" "ready" 10; then
  echo "demo: the registry stand-in did not start" >&2
  cat "$work/registry.log" >&2
  exit 1
fi

say "2A31 syncs its cache from the registry (the plugin then keeps it current in the background)"
if ! "$cli" cache sync --db "$work/2A31/cache.db" --endpoint "tcp://127.0.0.1:$registry_port" \
  --unit 2A31 --timeout-s 30 >"$work/sync-2A31.json"; then
  echo "demo: the registry sync failed:" >&2
  cat "$work/sync-2A31.json" >&2
  exit 1
fi
echo "2A31 cache: $(counts "$work/sync-2A31.json")($(grep -oE '"state": "[a-z_]+"' "$work/sync-2A31.json" | head -1))"

say "CR7 imports the registry's export file by hand"
"$cli" cache import "$here/registry.jsonl" --db "$work/CR7/cache.db" >"$work/import-CR7.json"
echo "CR7 cache: $(counts "$work/import-CR7.json")"

write_config() {  # unit role name dir [gps_port] [registry_endpoint]
  local registry_ini=""
  if [ -n "${6:-}" ]; then registry_ini=$'\n[registry]\nendpoint = '"$6"; fi
  cat >"$4/unit.ini" <<EOF
[unit]
id = $1
role = $2
name = $3

[cad]
subscribe_endpoint = tcp://127.0.0.1:$pub_port
dealer_endpoint = tcp://127.0.0.1:$router_port
heartbeat_timeout_s = 15

[cache]
db = $4/cache.db
$registry_ini

[coresponder]
accept_timeout_s = 120
fallback = Mobile crisis line 555-0199 (fictional)
EOF
  if [ -n "${5:-}" ]; then printf '\n[gps]\nport = %s\nbaud = 9600\n' "$5" >>"$4/unit.ini"; fi
}

say "Starting the GPS receiver stand-in on a pseudo-terminal for CR7"
"$gps" --link "$work/CR7/gps0" --route "$here/route-cr7.txt" --baud 9600 --rate-hz 1 >"$work/gps.log" 2>&1 &
pids+=($!)
if ! wait_for "$work/gps.log" "ready" 10; then
  echo "demo: the GPS stand-in did not start" >&2
  exit 1
fi
gps_port=$work/CR7/gps0
write_config 2A31 patrol "2A31 Patrol" "$work/2A31" "" "tcp://127.0.0.1:$registry_port"
# The officer's panel lists the clinician units on duty, with distance and ETA.
echo "schedule_file = $here/coresponders.txt" >>"$work/2A31/unit.ini"
write_config CR7 coresponder "CR-7 Clinician" "$work/CR7" "$gps_port"

say "Starting the CAD gateway stand-in (stub-cad) with the demo scenario"
"$cad" --pub "tcp://127.0.0.1:$pub_port" --router "tcp://127.0.0.1:$router_port" \
  --scenario "$here/scenario.jsonl" --record "$work/cad.jsonl" --exit-when-done &
cad_pid=$!
pids+=($cad_pid)

say "Starting the two MDTs: the officer's car taps 'Request co-responder', the clinician taps 'Accept'"
"$host" --plugin "$plugin" --config "$work/2A31/unit.ini" --record "$work/2A31.jsonl" \
  --label "[2A31 officer]" --user "officer.demo" --auto-action request_coresponder &
pids+=($!)
"$host" --plugin "$plugin" --config "$work/CR7/unit.ini" --record "$work/CR7.jsonl" \
  --label "[CR7 clinician]" --user "clinician.demo" --auto-action accept &
pids+=($!)

if ! wait "$cad_pid"; then
  echo "demo: the CAD scenario did not complete" >&2
  exit 1
fi
if ! wait_for "$work/2A31.jsonl" '"cb":"update_panel".*Accepted by' 30; then
  echo "demo: the officer's screen never showed the acceptance" >&2
  exit 1
fi

say "Demo summary"
premise_shown=$(grep -c '"panel_id":"premise:I-1002"' "$work/2A31.jsonl" || true)
unflagged_shown=$(grep -c '"panel_id":"premise:I-1001"' "$work/2A31.jsonl" || true)
echo "officer: premise panel for the flagged call shown: $([ "$premise_shown" -gt 0 ] && echo yes || echo NO)"
echo "officer: panels for the unflagged call: $unflagged_shown (expected 0)"
on_duty=$(grep -oE '"label":"CR-7 \(Clinician\)","severity":"[a-z]+","value":"[^"]*' "$work/2A31.jsonl" |
  head -1 | sed -E 's/.*"value":"//' || true)
echo "officer: request panel listed CR-7 (Clinician) on duty: ${on_duty:-NOT SHOWN}"
echo "officer: $(grep -o 'Accepted by[^"]*' "$work/2A31.jsonl" | tail -1)"
if grep -qE 'Dr\. A|outpatient program|555-0100' "$work/2A31.jsonl"; then
  echo "demo: clinician-only detail reached the officer's screen" >&2
  exit 1
fi
echo "officer: no clinician-only or substance-use detail on the officer's screen"
echo "registry: $(grep -E '^\[registry\] 2A31' "$work/registry.log" | tail -1 | sed 's/^\[registry\] //')"
[ "$premise_shown" -gt 0 ] && [ "$unflagged_shown" -eq 0 ]
