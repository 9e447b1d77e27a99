#!/bin/bash
# Bench test of the Debian packages, as a car would get them: build both
# packages, install them, check what the maintainer scripts did, run the
# doctor against the installed example config, check that the state
# directory is shared with the mdt-coresponder group and nobody else, keep an
# edited conffile over a reinstall, then remove and purge and check nothing
# is left behind. It adds two throw-away accounts and removes them again.
#
# Run as root on a bench machine (not on a car in service):
#   scripts/install-test.sh            # builds in build-package/
#   BUILD=mybuild scripts/install-test.sh
# Exit 0 when every step passed.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-package}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
PKG=mdt-coresponder
STUBS=mdt-coresponder-stubs
CONF=/etc/mdt-coresponder/fleet.ini
# The fleet file sets no unit identity (each car's unit.ini does): every
# check below reads it with the shipped example unit file.
UNIT=/usr/share/doc/mdt-coresponder/examples/unit-2A31.ini
STATE=/var/lib/mdt-coresponder

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'install-test: FAIL: %s\n' "$*" >&2; exit 1; }
check() { local what=$1; shift; if "$@"; then echo "  ok  $what"; else fail "$what"; fi; }

[ "$(id -u)" = 0 ] || fail "run as root (dpkg -i needs it)"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'; then
  fail "$PKG is already installed on this machine; this test installs and purges it, so run it elsewhere"
fi
# Anything the package would create, left from elsewhere, would be taken
# over and then purged with it (dpkg treats an existing fleet.ini as the
# package's conffile): refuse instead of deleting what someone left there.
for left in /etc/mdt-coresponder "$STATE"; do
  [ ! -e "$left" ] || fail "$left exists but $PKG is not installed; move it away first (a purge would delete it)"
done
if getent passwd mdt-coresponder >/dev/null || getent group mdt-coresponder >/dev/null; then
  fail "the mdt-coresponder user or group exists but $PKG is not installed; remove it first (a purge would)"
fi
grep -q 'packaging/packaging.cmake' "$SRC/CMakeLists.txt" ||
  fail "CMakeLists.txt does not include(packaging/packaging.cmake) yet"

# Two accounts for the sharing step: an officer in the group, one outside it.
OFFICER=mdtc-test-officer
OUTSIDER=mdtc-test-outsider
for account in "$OFFICER" "$OUTSIDER"; do
  if getent passwd "$account" >/dev/null; then fail "account $account exists already; remove it first"; fi
done

installed=0
accounts=0
cleanup() {
  if [ "$accounts" = 1 ]; then
    userdel "$OFFICER" >/dev/null 2>&1 || true
    userdel "$OUTSIDER" >/dev/null 2>&1 || true
  fi
  if [ "$installed" = 1 ]; then
    echo "install-test: cleaning up: purging $STUBS $PKG" >&2
    dpkg --purge "$STUBS" "$PKG" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step "build"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
available=$(cmake --build "$BUILD" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p')
for t in mdt_coresponder mdt-coresponder stub-mdt-host stub-cad stub-gps stub-registry; do
  if grep -qx "$t" <<<"$available"; then targets+=("$t"); else echo "  (no target $t in this tree)"; fi
done
cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}"

step "package"
rm -f "$BUILD"/*.deb
(cd "$BUILD" && cpack -G DEB >/dev/null)
main_deb=$(ls "$BUILD"/${PKG}_*.deb)
stubs_deb=$(ls "$BUILD"/${STUBS}_*.deb)
for deb in "$main_deb" "$stubs_deb"; do
  echo "  $(basename "$deb")"
  dpkg-deb --contents "$deb" | awk '{print "    " $6}'
done
is_conffile() { dpkg-deb --info "$main_deb" conffiles | grep -x "$CONF" >/dev/null; }
check "fleet.ini is a conffile" is_conffile

step "install"
installed=1
dpkg -i "$main_deb" "$stubs_deb"
check "CLI on PATH" test -x /usr/bin/mdt-coresponder
check "plugin in /usr/lib/mdt-coresponder" test -f /usr/lib/mdt-coresponder/libmdt_coresponder.so
check "panel host on PATH" test -x /usr/bin/mdt-coresponder-panel
check "panel host user unit" test -f /usr/lib/systemd/user/mdt-coresponder-panel.service
if command -v systemctl >/dev/null; then
  check "panel host starts at login" test -L /etc/systemd/user/graphical-session.target.wants/mdt-coresponder-panel.service
fi
check "example fleet config" test -f "$CONF"
check "docs" test -f /usr/share/doc/mdt-coresponder/config.md
check "registry format doc" test -f /usr/share/doc/mdt-coresponder/registry-format.md
has_user() { getent passwd mdt-coresponder >/dev/null; }
check "system user" has_user
check "state dir mode 2770 (setgid, the group's)" test "$(stat -c %a "$STATE")" = 2770
check "state dir owner" test "$(stat -c %U:%G "$STATE")" = mdt-coresponder:mdt-coresponder
check "user has no login shell" sh -c "getent passwd mdt-coresponder | grep -q nologin"
# Captured first: grep -q on a pipe would cut dpkg-deb off mid-listing.
stubs_contents=$(dpkg-deb --contents "$stubs_deb")
for stub in stub-mdt-host stub-cad stub-gps stub-registry; do
  if grep "/usr/bin/$stub\$" <<<"$stubs_contents" >/dev/null; then check "$stub installed" test -x "/usr/bin/$stub"; fi
done

step "config check on the installed example"
mdt-coresponder config check "$CONF" "$UNIT"

step "doctor against the installed example config"
# A bench machine has no cache, GPS or CAD gateway: the doctor must say so
# (exit 1) with a valid config check, and must not crash or misparse (exit 2).
set +e
doctor_json=$(mdt-coresponder doctor --config "$CONF" --config "$UNIT" --json --timeout-s 3)
doctor_rc=$?
set -e
echo "$doctor_json"
mdt-coresponder doctor --config "$CONF" --config "$UNIT" --timeout-s 3 || true
check "doctor exit code is 0 or 1 (got $doctor_rc)" test "$doctor_rc" -le 1
json_has() { grep -qF -- "$1" <<<"$doctor_json"; }
check "doctor says the config is valid" json_has '"name":"config","ok":true'
check "doctor checked the CAD link" json_has '"name":"cad link"'

step "doctor with the stub CAD gateway and an imported cache"
# The installed stubs stand in for the gateway; the doctor must see it up.
if [ -x /usr/bin/stub-cad ]; then
  work=$(mktemp -d)
  pub_port=$((20000 + RANDOM % 20000))
  router_port=$((pub_port + 1))
  # A complete export v1 file, as any writer can make one: header counts,
  # records, then a trailer with the SHA-256 of everything before it.
  counts='"premises":1,"subjects":0,"flags":1,"history":0,"deletes":0'
  cat >"$work/registry.jsonl" <<JSONL
{"type":"header","mode":"snapshot","version":1,"created":"2026-11-22T10:00:00Z",$counts}
{"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL"}
{"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM","note":"Calm with low voice","audience":"all"}
JSONL
  echo "{\"type\":\"trailer\",$counts,\"sha256\":\"$(sha256sum "$work/registry.jsonl" | cut -d' ' -f1)\"}" >>"$work/registry.jsonl"
  mdt-coresponder cache import "$work/registry.jsonl" --db "$work/cache.db"
  cat >"$work/unit.ini" <<INI
[unit]
id = 2A31
role = patrol
[cad]
subscribe_endpoint = tcp://127.0.0.1:$pub_port
dealer_endpoint = tcp://127.0.0.1:$router_port
[cache]
db = $work/cache.db
[gps]
port =
INI
  stub-cad --pub "tcp://127.0.0.1:$pub_port" --router "tcp://127.0.0.1:$router_port" --heartbeat-ms 200 \
    >"$work/stub-cad.log" 2>&1 &
  stub_pid=$!
  set +e
  mdt-coresponder doctor --config "$CONF" --config "$work/unit.ini" --timeout-s 10
  doctor_rc=$?
  set -e
  kill "$stub_pid" 2>/dev/null || true
  wait "$stub_pid" 2>/dev/null || true
  rm -rf "$work"
  check "doctor passes every check with a gateway and a cache (got $doctor_rc)" test "$doctor_rc" = 0
fi

step "the state directory is shared with the group, and with nobody else"
# As a car runs it: the plugin's files made by one account of the group
# (here the service account), then opened by an officer in the group; an
# account outside the group can read nothing, and doctor names the fix.
accounts=1
useradd --system --no-create-home --shell /usr/sbin/nologin "$OFFICER"
useradd --system --no-create-home --shell /usr/sbin/nologin "$OUTSIDER"
usermod -aG mdt-coresponder "$OFFICER"
pub=$(mktemp -d)
chmod 0755 "$pub"
counts='"premises":1,"subjects":0,"flags":1,"history":0,"deletes":0'
cat >"$pub/registry.jsonl" <<JSONL
{"type":"header","mode":"snapshot","version":1,"created":"2026-11-22T10:00:00Z",$counts}
{"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL"}
{"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM","note":"Calm with low voice","audience":"all"}
JSONL
echo "{\"type\":\"trailer\",$counts,\"sha256\":\"$(sha256sum "$pub/registry.jsonl" | cut -d' ' -f1)\"}" >>"$pub/registry.jsonl"
chmod 0644 "$pub/registry.jsonl"
# A restrictive umask, as a host may have: the modes must not depend on it.
runuser -u mdt-coresponder -- sh -c "umask 077; mdt-coresponder cache import '$pub/registry.jsonl' --db '$STATE/cache.db'"
ls -la "$STATE"
mode_group() { stat -c '%a %G' "$1"; }
check "cache.db 0660 in group mdt-coresponder" test "$(mode_group "$STATE/cache.db")" = "660 mdt-coresponder"
check "cache key 0640 in group mdt-coresponder" test "$(mode_group "$STATE/cache.db.key")" = "640 mdt-coresponder"
for f in "$STATE"/cache.db-wal "$STATE"/cache.db-shm; do
  if [ -e "$f" ]; then check "$(basename "$f") 0660 in group mdt-coresponder" test "$(mode_group "$f")" = "660 mdt-coresponder"; fi
done
check "the officer (in the group) reads the cache" runuser -u "$OFFICER" -- mdt-coresponder cache verify --db "$STATE/cache.db"
check "an account outside the group cannot read the cache" sh -c "! runuser -u $OUTSIDER -- cat $STATE/cache.db >/dev/null 2>&1"
check "an account outside the group cannot read the cache key" sh -c "! runuser -u $OUTSIDER -- cat $STATE/cache.db.key >/dev/null 2>&1"
check "an account outside the group cannot list the state" sh -c "! runuser -u $OUTSIDER -- ls $STATE >/dev/null 2>&1"
# The outsider cannot read /etc/mdt-coresponder either: its doctor reads a
# copy of the fleet file that names the same state directory.
cp "$CONF" "$pub/fleet.ini"
chmod 0644 "$pub/fleet.ini"
doctor_json=$(runuser -u "$OUTSIDER" -- mdt-coresponder doctor --config "$pub/fleet.ini" --config "$UNIT" --json --timeout-s 1 || true)
check "doctor, run by an account outside the group, says storage.not_in_group" \
  json_has '"name":"sharing","ok":false,"status":"fail","code":"storage.not_in_group"'
check "doctor names the fix" json_has "usermod -aG mdt-coresponder $OUTSIDER"
doctor_json=$(runuser -u "$OFFICER" -- mdt-coresponder doctor --config "$CONF" --config "$UNIT" --json --timeout-s 1 || true)
check "doctor, run by the officer, finds the sharing right" json_has '"name":"sharing","ok":true'
chmod 0700 "$STATE"
doctor_json=$(mdt-coresponder doctor --config "$CONF" --config "$UNIT" --json --timeout-s 1 || true)
check "doctor says storage.not_shared for a state dir made 0700 by hand" \
  json_has '"name":"sharing","ok":false,"status":"fail","code":"storage.not_shared"'
chmod 2770 "$STATE"
chmod 0600 "$STATE/cache.db.key"  # as the owner-only layout left it
doctor_json=$(mdt-coresponder doctor --config "$CONF" --config "$UNIT" --json --timeout-s 1 || true)
check "doctor says storage.file_not_shared for a key left owner-only" \
  json_has '"name":"sharing","ok":false,"status":"fail","code":"storage.file_not_shared"'
check "doctor names that file's fix" json_has "chmod 0640 $STATE/cache.db.key"
chmod 0700 "$STATE"  # and the directory too: the upgrade must put both right
step "a reinstall (an upgrade) puts the sharing right"
dpkg -i "$main_deb" >/dev/null
check "state dir mode 2770 again" test "$(stat -c %a "$STATE")" = 2770
check "cache key 0640 again" test "$(mode_group "$STATE/cache.db.key")" = "640 mdt-coresponder"
check "the officer reads the cache again" runuser -u "$OFFICER" -- mdt-coresponder cache verify --db "$STATE/cache.db"
rm -rf "$pub"

step "an edited conffile survives a reinstall"
echo "; edited by fleet IT" >>"$CONF"
dpkg -i --force-confold "$main_deb" >/dev/null
check "edit kept" grep -q "edited by fleet IT" "$CONF"

step "remove"
dpkg -r "$STUBS" "$PKG"
check "CLI gone" test ! -e /usr/bin/mdt-coresponder
check "panel host no longer starts at login" test ! -e /etc/systemd/user/graphical-session.target.wants/mdt-coresponder-panel.service
check "plugin gone" test ! -e /usr/lib/mdt-coresponder/libmdt_coresponder.so
check "config kept on remove" test -f "$CONF"
check "state kept on remove" test -d "$STATE"

step "purge"
userdel "$OFFICER"
userdel "$OUTSIDER"
accounts=0
# The stubs package has no conffiles: "remove" already left nothing of it.
dpkg -P "$PKG"
installed=0
check "config gone" test ! -e "$CONF"
check "config dir gone" test ! -e /etc/mdt-coresponder
check "state dir gone" test ! -e "$STATE"
check "user gone" sh -c "! getent passwd mdt-coresponder >/dev/null"
check "group gone" sh -c "! getent group mdt-coresponder >/dev/null"
not_installed() { ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep installed >/dev/null; }
check "no $PKG left" not_installed "$PKG"
check "no $STUBS left" not_installed "$STUBS"

printf '\ninstall-test: PASS\n'
