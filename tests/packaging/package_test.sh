#!/usr/bin/env bash
# The Debian package end to end: scripts/package builds it from the binary under test, then it
# is inspected (file list, modes, control fields, conffiles, debug symbols), linted, installed
# for real with dpkg (maintainer scripts: user, data directory, unit enabled), its unit checked
# with systemd-analyze, removed (data and configuration kept) and purged (both gone).
#   tests/packaging/package_test.sh BUILD/spindle
# It changes the machine it runs on, so it runs as root on a throwaway machine (CI) and skips
# (exit 77, ctest's SKIP_RETURN_CODE) when not root or when this machine has Spindle of its own.
set -euo pipefail

binary=$(realpath "$1")
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
marker=/run/spindle-package-test   # the installed spindle package is this test's
work=$(mktemp -d)

skip() {
  # Printed the way scripts/skipped-tests finds a reason in ctest's report.
  echo "package_test.sh: Skipped"
  echo "$*"
  echo "[  SKIPPED ] packaging.deb"
  rm -rf "$work"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check() {  # check "what" command...: fails the test with "what" when the command fails
  local what=$1
  shift
  "$@" || fail "$what"
}
cleanup() {
  if [ -e "$marker" ]; then
    dpkg -P spindle >/dev/null 2>&1 || true
    rm -f "$marker"
  fi
  rm -rf "$work"
}

# Missing tools fail the test: scripts/setup installs every one of them.
for tool in dpkg-deb dpkg-shlibdeps lintian systemd-analyze readelf; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/setup (it installs it)"
done

[ "$(id -u)" -eq 0 ] ||
  skip "needs root: it installs, removes and purges the package for real (run it on a throwaway machine, as CI does)"
status=$(dpkg-query -W -f='${Status}' spindle 2>/dev/null || true)
if [ ! -e "$marker" ]; then
  case "$status" in
    *installed* | *config-files* | *unpacked* | *half-*)
      skip "a spindle package of this machine's own is installed ($status); purging it would delete its data" ;;
  esac
  for path in /var/lib/spindle /etc/spindle; do
    [ ! -e "$path" ] || skip "$path exists on this machine; the test's purge would delete it"
  done
fi
trap cleanup EXIT

version=$(sed -n 's/^project(spindle VERSION \([0-9][0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb="$work/spindle_${version}_${arch}.deb"
dbgsym="$work/spindle-dbgsym_${version}_${arch}.deb"

echo "== scripts/package"
check "scripts/package failed" "$source_dir/scripts/package" --binary "$binary" --out "$work"
[ -f "$deb" ] && [ -f "$dbgsym" ] || fail "scripts/package made no $deb and $dbgsym"

echo "== contents"
dpkg-deb -c "$deb" > "$work/list"
cat "$work/list"
expect_entry() {  # expect_entry MODE PATH
  grep -Eq "^$1 root/root +[0-9]+ [0-9-]+ [0-9:]+ \./$2( |$)" "$work/list" ||
    fail "no $1 root/root ./$2 in the package"
}
expect_entry -rwxr-xr-x usr/bin/spindle
expect_entry -rw-r--r-- etc/spindle/spindle.yaml
expect_entry -rw-r--r-- lib/systemd/system/spindle.service
expect_entry -rw-r--r-- usr/share/doc/spindle/copyright
expect_entry -rw-r--r-- usr/share/doc/spindle/changelog.gz
expect_entry -rw-r--r-- usr/share/doc/spindle/install.md.gz
expect_entry -rw-r--r-- usr/share/man/man1/spindle.1.gz
expect_entry -rw-r--r-- usr/share/lintian/overrides/spindle
[ -z "$(grep -v ' root/root ' "$work/list")" ] || fail "files not owned by root/root"
! grep -q '\./var/' "$work/list" || fail "the data directory must come from postinst, not the package"

echo "== control"
dpkg-deb -I "$deb" | tee "$work/info"
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$deb" Package)" = spindle ] || fail "Package is not spindle"
[ "$(field "$deb" Version)" = "$version" ] || fail "Version is not $version"
[ "$(field "$deb" Architecture)" = "$arch" ] || fail "Architecture is not $arch"
depends=$(field "$deb" Depends)
[[ "$depends" == *"libc6 (>= "* ]] || fail "Depends has no versioned libc6: '$depends'"
[[ "$depends" == *libstdc++6* ]] || fail "Depends has no libstdc++6: '$depends'"
[[ "$depends" == *adduser* ]] || fail "Depends has no adduser (postinst uses it): '$depends'"
dpkg-deb --ctrl-tarfile "$deb" > "$work/control.tar"
tar -tvf "$work/control.tar" > "$work/control-list"
for script in postinst prerm postrm; do
  grep -Eq "^-rwxr-xr-x root/root .* \./$script$" "$work/control-list" || fail "$script is not 0755"
done
[ "$(tar -xOf "$work/control.tar" ./conffiles)" = /etc/spindle/spindle.yaml ] ||
  fail "conffiles must list /etc/spindle/spindle.yaml alone"

echo "== debug symbols"
mkdir "$work/unpacked"
dpkg-deb -x "$deb" "$work/unpacked"
build_id=$(readelf -n "$work/unpacked/usr/bin/spindle" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
[ -n "$build_id" ] || fail "the packaged binary has no build id"
# (Outputs are read whole, never piped into grep -q: pipefail would count its early exit.)
sections=$(readelf -S "$work/unpacked/usr/bin/spindle")
! grep -q '\.debug_info' <<< "$sections" || fail "the binary is not stripped"
grep -q '\.gnu_debuglink' <<< "$sections" || fail "no .gnu_debuglink"
debug_file="usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug"
grep -Eq "^-rw-r--r-- root/root .* \./$debug_file$" <<< "$(dpkg-deb -c "$dbgsym")" ||
  fail "the dbgsym package has no ./$debug_file"
[ "$(field "$dbgsym" Depends)" = "spindle (= $version)" ] || fail "dbgsym Depends: $(field "$dbgsym" Depends)"
[ "$(field "$dbgsym" Build-Ids)" = "$build_id" ] || fail "dbgsym Build-Ids is not $build_id"
mkdir "$work/dbg"
dpkg-deb -x "$dbgsym" "$work/dbg"
grep -q '\.debug_info' <<< "$(readelf -S "$work/dbg/$debug_file" 2>/dev/null)" || fail "$debug_file holds no .debug_info"
grep -q "Build ID: $build_id" <<< "$(readelf -n "$work/dbg/$debug_file" 2>/dev/null)" ||
  fail "$debug_file has another build id"

echo "== lintian"
# Errors and warnings fail; the package's overrides (each explained in docs/install.md) hold.
check "lintian reports errors or warnings" lintian --fail-on error,warning --display-info \
  "$deb" "$dbgsym"

echo "== install (dpkg -i)"
touch "$marker"
check "dpkg -i failed" dpkg -i "$deb"
[ "$(/usr/bin/spindle --version)" = "$version" ] || fail "/usr/bin/spindle --version is not $version"
getent passwd spindle > "$work/passwd" || fail "postinst created no user spindle"
IFS=: read -r _ _ uid _ _ home shell < "$work/passwd"
[ "$uid" -lt 1000 ] || fail "spindle is no system user (uid $uid)"
[ "$home" = /var/lib/spindle ] || fail "spindle's home is $home"
[[ "$shell" == */nologin || "$shell" == /bin/false ]] || fail "spindle may log in ($shell)"
getent group spindle >/dev/null || fail "postinst created no group spindle"
[ "$(stat -c '%U:%G %a' /var/lib/spindle)" = "spindle:spindle 750" ] ||
  fail "/var/lib/spindle is $(stat -c '%U:%G %a' /var/lib/spindle), not spindle:spindle 750"
[ "$(stat -c '%U:%G %a' /etc/spindle/spindle.yaml)" = "root:spindle 640" ] ||
  fail "/etc/spindle/spindle.yaml is $(stat -c '%U:%G %a' /etc/spindle/spindle.yaml)"
# As the service runs it: its user reads the configuration, and it is valid.
check "the installed configuration does not validate as the spindle user" \
  runuser -u spindle -- /usr/bin/spindle validate /etc/spindle/spindle.yaml
[ -L /etc/systemd/system/multi-user.target.wants/spindle.service ] ||
  fail "postinst did not enable spindle.service for the next boot"

echo "== unit"
check "systemd-analyze verify" systemd-analyze verify /lib/systemd/system/spindle.service
systemd-analyze security --offline=yes /lib/systemd/system/spindle.service > "$work/security" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for spindle.service: \([0-9.]*\).*/\1/p' "$work/security")
echo "exposure: $score"
# docs/install.md gives the score; a change to the unit that loosens it must be deliberate.
awk -v s="${score:-99}" 'BEGIN { exit !(s <= 1.5) }' || fail "exposure score ${score:-?} above 1.5: $(cat "$work/security")"

echo "== remove (dpkg -r): data and configuration stay"
echo "# changed by the packaging test" >> /etc/spindle/spindle.yaml
echo kept > /var/lib/spindle/test-data
check "dpkg -r failed" dpkg -r spindle
[ ! -e /usr/bin/spindle ] || fail "dpkg -r left /usr/bin/spindle"
[ ! -e /lib/systemd/system/spindle.service ] || fail "dpkg -r left the unit"
[ "$(cat /var/lib/spindle/test-data 2>/dev/null)" = kept ] || fail "dpkg -r deleted the data"
grep -q "changed by the packaging test" /etc/spindle/spindle.yaml || fail "dpkg -r deleted the configuration"
[[ "$(dpkg-query -W -f='${Status}' spindle)" == *config-files ]] || fail "not in state config-files"

echo "== purge (dpkg -P): data and configuration gone"
check "dpkg -P failed" dpkg -P spindle
[ ! -e /var/lib/spindle ] || fail "dpkg -P left /var/lib/spindle"
[ ! -e /etc/spindle ] || fail "dpkg -P left /etc/spindle"
[ ! -e /etc/systemd/system/multi-user.target.wants/spindle.service ] || fail "dpkg -P left the enable link"
[ ! -e /etc/systemd/system/spindle.service ] || fail "dpkg -P left a mask"
rm -f "$marker"
echo "PASS: $deb (exposure $score)"
