#!/usr/bin/env bash
# The Linux package of the app: CPack builds the .deb from this build tree; it must name its library
# dependencies and hold the binaries, the desktop entry and the icon. As root it is installed for real
# (dpkg -i), run from /usr/bin and removed again; otherwise it is unpacked (dpkg -x) and run from there.
#   usage: linux-package-test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then dpkg -r jikken >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$build"
cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/jikken_*.deb) || fail "cpack made no jikken_*.deb"
info=$(dpkg-deb --field "$deb" Package Version Depends)
echo "$info"
grep -q '^Version: 0\.' <<<"$info" || fail "no version in the package"
for library in libqt6charts6 libqt6widgets6 libqt6sql6-sqlite; do
    grep -q "$library" <<<"$info" || fail "the package does not depend on $library"
done
contents=$(dpkg-deb --contents "$deb")
for file in ./usr/bin/jikken-desktop ./usr/share/applications/jikken-desktop.desktop \
    ./usr/share/icons/hicolor/256x256/apps/jikken.png; do
    grep -q " $file\$" <<<"$contents" || fail "$file is not in the package"
done

if [ "$(id -u)" = 0 ] && ! dpkg -s jikken >/dev/null 2>&1; then
    dpkg -i "$deb" >/dev/null || fail "dpkg -i refused the package"
    installed=1
    root=""
else
    # Not root, or a jikken package already installed that this test must not replace.
    dpkg -x "$deb" "$work/root"
    root="$work/root"
fi
version=$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/jikken-desktop" --version) || fail "jikken-desktop --version failed"
grep -q "Jikken 0\." <<<"$version" || fail "jikken-desktop --version said: $version"
grep -q '^Exec=jikken-desktop$' "$root/usr/share/applications/jikken-desktop.desktop" || fail "the desktop entry"
if [ -e "$root/usr/bin/jikken" ]; then
    "$root/usr/bin/jikken" --version >/dev/null || fail "jikken --version failed"
fi
if [ "$installed" = 1 ]; then
    dpkg -r jikken >/dev/null || fail "dpkg -r failed"
    installed=0
    [ ! -e /usr/bin/jikken-desktop ] || fail "dpkg -r left /usr/bin/jikken-desktop"
fi
echo "PASS: $(basename "$deb") built, installed${root:+ (unpacked)}, run and removed"
