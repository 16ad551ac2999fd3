#!/usr/bin/env bash
# Makes Atelier-<version>.dmg from dist/Atelier.app; signs and notarises it when credentials are set.
#
#   bash packaging/macos/make_dmg.sh DIST_DIR VERSION [OUT_DIR]
#
# Signing (optional): APPLE_SIGNING_IDENTITY, e.g. "Developer ID Application: Name (TEAMID)",
# must be in the keychain. Notarisation (optional, needs signing): either
# APPLE_NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile) or
# APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD (an app-specific password).
set -euo pipefail

dist="${1:?usage: make_dmg.sh DIST_DIR VERSION [OUT_DIR]}"
version="${2:?usage: make_dmg.sh DIST_DIR VERSION [OUT_DIR]}"
out="${3:-$dist/..}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$dist/Atelier.app"
dmg="$out/Atelier-$version-macos-$(uname -m).dmg"
entitlements="$here/entitlements.plist"

say() { printf '==> %s\n' "$*"; }

[ -d "$app" ] || { echo "make_dmg: $app does not exist; build the bundle first" >&2; exit 1; }
/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist" | grep -qx "$version" ||
  { echo "make_dmg: $app is not version $version" >&2; exit 1; }

identity="${APPLE_SIGNING_IDENTITY:-}"
if [ -n "$identity" ]; then
  say "Signing every binary inside the app, then the app (hardened runtime)"
  # Inside out: nested code first (libraries, ffmpeg, the executables), the bundle last.
  while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q "Mach-O"; then
      codesign --force --timestamp --options runtime --entitlements "$entitlements" \
        --sign "$identity" "$file"
    fi
  done < <(find "$app/Contents" -type f -print0)
  codesign --force --timestamp --options runtime --entitlements "$entitlements" --sign "$identity" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  say "APPLE_SIGNING_IDENTITY is not set: the app and the .dmg stay unsigned"
fi

say "Making $(basename "$dmg")"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Atelier $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg" >/dev/null

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  notary=()
  if [ -n "${APPLE_NOTARY_PROFILE:-}" ]; then
    notary=(--keychain-profile "$APPLE_NOTARY_PROFILE")
  elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    notary=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
  fi
  if [ "${#notary[@]}" -gt 0 ]; then
    say "Notarising (this waits for Apple's answer)"
    xcrun notarytool submit "$dmg" "${notary[@]}" --wait
    xcrun stapler staple "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
  else
    say "No notarisation credentials: the .dmg is signed but not notarised"
  fi
fi
say "$(basename "$dmg"): $(du -h "$dmg" | cut -f1)"
