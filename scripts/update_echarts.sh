#!/usr/bin/env bash
# Vendor Apache ECharts into reports/static/reports/vendor/echarts/ (no CDN: the CSP allows 'self' only).
#
#   scripts/update_echarts.sh 6.1.0
#
# Fetches the npm package with `npm pack echarts@VERSION` (the ordinary npm client), checks the
# tarball's integrity against the registry's, and copies the minified full build, LICENSE and
# NOTICE. Commit the three files and the VERSION file it writes.
set -euo pipefail

version="${1:?usage: scripts/update_echarts.sh VERSION (e.g. 6.1.0)}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/reports/static/reports/vendor/echarts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
tarball="$(npm pack --silent "echarts@$version")"
expected="$(npm view "echarts@$version" dist.integrity)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$expected" != "$actual" ]; then
    echo "integrity mismatch for $tarball: registry $expected, file $actual" >&2
    exit 1
fi
tar -xzf "$tarball"
mkdir -p "$target"
cp package/dist/echarts.min.js "$target/echarts.min.js"
cp package/LICENSE "$target/LICENSE"
cp package/NOTICE "$target/NOTICE"
echo "$version" > "$target/VERSION"
echo "ECharts $version vendored into ${target#"$root"/}"
