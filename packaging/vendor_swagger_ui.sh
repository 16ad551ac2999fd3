#!/usr/bin/env bash
# Refreshes resources/swagger-ui/ (the server's /docs page) from the npm registry's
# swagger-ui-dist, the Swagger project's own build:  bash packaging/vendor_swagger_ui.sh 5.35.0
# Only the files /docs loads are kept, byte for byte, with the licence.
set -euo pipefail
version="${1:?usage: vendor_swagger_ui.sh VERSION}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo/resources/swagger-ui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
rm -rf "$dest" && mkdir -p "$dest"
cp "$work"/package/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png,LICENSE,NOTICE} "$dest"/
echo "$version" > "$dest/VERSION"
echo "resources/swagger-ui now holds Swagger UI $version"
