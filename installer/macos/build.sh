#!/usr/bin/env bash
# Build Outreach for macOS: dist/Outreach.app and dist/Outreach-<version>-<arch>.dmg.
#
#   installer/macos/build.sh
#
# Signing and notarization come from the environment, never from the repo:
#   OUTREACH_SIGN_IDENTITY   a "Developer ID Application: Name (TEAMID)" identity in
#                            the keychain; when set, every binary is signed with the
#                            hardened runtime and a secure timestamp.
#   OUTREACH_NOTARY_PROFILE  a notarytool keychain profile, made once with
#                            `xcrun notarytool store-credentials PROFILE ...`; when set
#                            (with the identity) the .dmg is notarized and stapled.
# Without an identity the result is an unsigned .dmg, and the script says so.
# The .dmg holds the architecture of the Python that built it (arm64 or x86_64).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
VENV=.venv
ENTITLEMENTS=installer/macos/entitlements.plist

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Outreach needs Python 3.11 or newer (set PYTHON=...)." >&2; exit 2; }
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The crypt extra (SQLCipher) too where its wheel exists (arm64), so the app can
# encrypt databases; an Intel build goes without and says so.
"$VENV/bin/python" -m pip install --quiet --only-binary sqlcipher3 -e ".[build,crypt,pg]" 2>/dev/null || {
  echo "SQLCipher has no wheel for this Mac: this build will not encrypt databases." >&2
  "$VENV/bin/python" -m pip install --quiet -e ".[build,pg]"
}

VERSION=$("$VENV/bin/python" -c 'import outreach; print(outreach.__version__)')
ARCH=$(uname -m)
APP=dist/Outreach.app
DMG="dist/Outreach-$VERSION-$ARCH.dmg"

echo "==> PyInstaller (Outreach $VERSION, $ARCH)"
rm -rf dist/outreach "$APP"
started=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build installer/outreach.spec
echo "Built $APP in $(( $(date +%s) - started )) s, $(du -sh "$APP" | cut -f1)"

is_macho() { file -b "$1" | grep -q '^Mach-O'; }

sign_app() {
  local identity=$1
  local sign=(codesign --force --timestamp --options runtime --sign "$identity")
  echo "==> Signing with $identity (hardened runtime)"
  # Inside out: every library and plugin first, then framework bundles, then the
  # two executables with the entitlements, then the app itself. --deep is not
  # used: it signs nested code without entitlements and in no defined order.
  while IFS= read -r -d '' file; do
    case "$file" in "$APP/Contents/MacOS/"*) continue ;; esac
    if is_macho "$file"; then "${sign[@]}" "$file"; fi
  done < <(find "$APP/Contents" -type f -print0)
  while IFS= read -r -d '' framework; do
    if [ -f "$framework/Resources/Info.plist" ] || [ -f "$framework/Versions/Current/Resources/Info.plist" ]; then
      "${sign[@]}" "$framework"
    fi
  done < <(find "$APP/Contents" -type d -name '*.framework' -print0)
  for exe in "$APP/Contents/MacOS/outreach" "$APP/Contents/MacOS/outreach-gui"; do
    "${sign[@]}" --entitlements "$ENTITLEMENTS" "$exe"
  done
  "${sign[@]}" --entitlements "$ENTITLEMENTS" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
}

self_test() {
  echo "==> Frozen self-test"
  # Offscreen, so it also runs over ssh with no window server session. After
  # signing, so a hardened-runtime refusal shows up here and not on a user's Mac.
  QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/outreach" self-test
}

make_dmg() {
  echo "==> $DMG"
  local staging
  staging=$(mktemp -d)
  cp -R "$APP" "$staging/"
  ln -s /Applications "$staging/Applications"  # drag-to-install
  rm -f "$DMG"
  hdiutil create -volname "Outreach $VERSION" -srcfolder "$staging" -ov -format UDZO "$DMG"
  rm -rf "$staging"
}

notarize() {
  local profile=$1
  echo "==> Notarizing with keychain profile $profile (this waits for Apple)"
  local result status id
  result=$(xcrun notarytool submit "$DMG" --keychain-profile "$profile" --wait --output-format json)
  status=$("$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' <<<"$result")
  id=$("$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin).get("id",""))' <<<"$result")
  if [ "$status" != "Accepted" ]; then
    echo "Notarization was not accepted (status: ${status:-unknown}). Apple's log:" >&2
    [ -n "$id" ] && xcrun notarytool log "$id" --keychain-profile "$profile" >&2 || true
    exit 1
  fi
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG" || true
}

if [ -n "${OUTREACH_SIGN_IDENTITY:-}" ]; then
  sign_app "$OUTREACH_SIGN_IDENTITY"
  self_test
  make_dmg
  codesign --force --timestamp --sign "$OUTREACH_SIGN_IDENTITY" "$DMG"
  if [ -n "${OUTREACH_NOTARY_PROFILE:-}" ]; then
    notarize "$OUTREACH_NOTARY_PROFILE"
    echo "Done: $DMG is signed, notarized and stapled."
  else
    echo "Done: $DMG is SIGNED but NOT NOTARIZED (OUTREACH_NOTARY_PROFILE is not set)."
    echo "Gatekeeper will still warn on other Macs; set the profile to notarize."
  fi
else
  self_test
  make_dmg
  echo "Done: $DMG is UNSIGNED (OUTREACH_SIGN_IDENTITY is not set)."
  echo "Fine for testing on this Mac. On other Macs Gatekeeper blocks it: the user must"
  echo "right-click Outreach.app, choose Open, and confirm (or allow it in System Settings,"
  echo "Privacy & Security). Do not hand an unsigned build to practitioners."
fi
