#!/usr/bin/env bash
# Re-fetch the Plotly partial bundle the page draws with, from the npm registry.
#
#   scripts/vendor_plotly.sh [VERSION]      (default: the version in static/vendor/VERSION)
#
# Why a partial bundle: the page draws scatter traces only; plotly.js-basic-dist-min holds
# the scatter, bar and pie traces (1.2 MB, ~0.4 MB gzipped) where the full bundle is 4.8 MB.
# What it does: `npm pack` the package into a temp dir, check the tarball against the
# registry's sha512 integrity, and copy plotly-basic.min.js and LICENSE into
# src/arena/web/static/vendor/, then rewrite VERSION (name, version, sha256, tarball URL).
# Needs: npm (registry access), sha256sum, tar. Nothing else is run from the package.
set -euo pipefail

NAME="plotly.js-basic-dist-min"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/arena/web/static/vendor"
VERSION="${1:-$(sed -n 's/^version=//p' "$DEST/VERSION")}"
if [ -z "$VERSION" ]; then
    echo "vendor_plotly.sh: no version given and none in $DEST/VERSION" >&2
    exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

npm pack --silent "$NAME@$VERSION" >/dev/null
TGZ="$NAME-$VERSION.tgz"
WANT="$(npm view "$NAME@$VERSION" dist.integrity)"
GOT="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
if [ "$WANT" != "$GOT" ]; then
    echo "vendor_plotly.sh: $TGZ integrity $GOT differs from the registry's $WANT" >&2
    exit 1
fi
URL="$(npm view "$NAME@$VERSION" dist.tarball)"

tar xzf "$TGZ"
mkdir -p "$DEST"
cp package/plotly-basic.min.js "$DEST/plotly-basic.min.js"
cp package/LICENSE "$DEST/LICENSE"
SHA="$(sha256sum "$DEST/plotly-basic.min.js" | cut -d' ' -f1)"
cat >"$DEST/VERSION" <<EOF
name=$NAME
version=$VERSION
file=plotly-basic.min.js
sha256=$SHA
tarball=$URL
integrity=$WANT
EOF
echo "vendored $NAME $VERSION into $DEST (plotly-basic.min.js sha256 $SHA)"
