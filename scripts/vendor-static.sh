#!/usr/bin/env bash
# Vendor the web UI's static assets so that installing kofo needs no Node build.
#
# Fetches pinned npm packages with `npm pack` into a temporary directory (nothing
# is installed into the repository), verifies each tarball against its pinned
# sha512 integrity and the registry's dist.integrity, and copies only what the
# UI needs into src/kofo/web/static/vendor/:
#
#   kern-ux/  KERN UX (@kern-ux/native): kern.min.css, fonts/fira-sans.css and
#             every font file those stylesheets reference via url(...)
#             (icons are inline data: URIs inside kern.min.css), LICENSE.md, VERSION
#   htmx/     htmx.org: htmx.min.js, LICENSE, VERSION
#
# Re-runnable and deterministic: the target folders are rebuilt from scratch
# (staged first, swapped in only when everything succeeded). The "vendored"
# date in VERSION is kept while package, version and integrity are unchanged;
# for a new version it is SOURCE_DATE_EPOCH's date if set, else today (UTC).
#
# To upgrade: change *_VERSION, run once, copy the integrity from the error
# message into *_INTEGRITY after checking it, run again.
#
# Usage: scripts/vendor-static.sh   (or: make vendor)
set -euo pipefail

KERN_PKG="@kern-ux/native"
KERN_VERSION="2.7.2"
KERN_INTEGRITY="sha512-TN0Mqbasp7S1IOqurXickde8MDj5hIcgT4s3f1i33wyv2iVgA1dTO/FoQyi6rgM9KYTYkIthl9k72g7fBUUvHg=="
# Stylesheets to vendor from the package's dist/ folder (paths relative to dist/).
KERN_CSS=("kern.min.css" "fonts/fira-sans.css")

HTMX_PKG="htmx.org"
HTMX_VERSION="2.0.11" # newest 2.0.x; do not move to 4.x without porting the templates
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/src/kofo/web/static/vendor"

export LC_ALL=C

die() {
  echo "vendor-static: error: $*" >&2
  exit 1
}

for tool in npm tar openssl base64 sha256sum realpath install; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE"

npmq() {
  npm --loglevel=error "$@"
}

# fetch PKG VERSION EXPECTED_INTEGRITY -> prints the unpacked package directory
fetch() {
  local pkg=$1 ver=$2 expected=$3
  local reg actual tarball dir
  reg="$(npmq view "$pkg@$ver" dist.integrity)" || die "npm view $pkg@$ver failed"
  [[ -n $reg ]] || die "$pkg@$ver not found in the registry"
  if [[ $reg != "$expected" ]]; then
    die "$pkg@$ver: registry integrity $reg does not match pinned $expected"
  fi
  dir="$WORK/pkg-${pkg//[@\/]/_}"
  mkdir -p "$dir"
  tarball="$(cd "$dir" && npmq pack "$pkg@$ver" --ignore-scripts | tail -n 1)"
  [[ -f $dir/$tarball ]] || die "npm pack $pkg@$ver produced no tarball"
  actual="sha512-$(openssl dgst -sha512 -binary "$dir/$tarball" | base64 | tr -d '\n')"
  [[ $actual == "$expected" ]] || die "$pkg@$ver: tarball integrity $actual does not match pinned $expected"
  mkdir -p "$dir/x"
  tar -xzf "$dir/$tarball" -C "$dir/x" --no-same-owner
  [[ -f $dir/x/package/package.json ]] || die "$pkg@$ver: unexpected tarball layout"
  echo "$dir/x/package"
}

# put SRC DEST: copy one file with normalised permissions
put() {
  [[ -f $1 ]] || die "missing file in package: ${1#"$WORK"/}"
  install -D -m 0644 "$1" "$2"
}

# copy_css SRCROOT REL DSTROOT: copy a stylesheet plus every local file it
# references with url(...), keeping the relative paths so the references resolve.
copy_css() {
  local srcroot=$1 rel=$2 dstroot=$3
  local dir ref target refs
  put "$srcroot/$rel" "$dstroot/$rel"
  if grep -Eq '@import[[:space:]]+(url\()?["'"'"']?[^"'"'"');]+' "$srcroot/$rel"; then
    die "$rel uses @import; vendor the imported files explicitly"
  fi
  dir="$(dirname "$rel")"
  mapfile -t refs < <(
    { grep -o 'url([^)]*)' "$srcroot/$rel" || true; } |
      sed -e 's/^url(//' -e 's/)$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
        -e 's/^["'"'"']//' -e 's/["'"'"']$//' |
      { grep -v -e '^data:' -e '^#' || true; } | sort -u
  )
  for ref in "${refs[@]}"; do
    ref="${ref%%[?#]*}"
    case $ref in
      "" ) continue ;;
      http:* | https:* | //* | /*) die "$rel references a non-relative url: $ref" ;;
    esac
    target="$(realpath -m --relative-to="$srcroot" "$srcroot/$dir/$ref")"
    [[ $target != ../* ]] || die "$rel references a file outside dist/: $ref"
    put "$srcroot/$target" "$dstroot/$target"
  done
}

# write_version DEST PKG VERSION INTEGRITY LICENSE [NOTE...]
write_version() {
  local dest=$1 pkg=$2 ver=$3 integrity=$4 license=$5
  shift 5
  local old="$VENDOR/$(basename "$dest")/VERSION" date=""
  if [[ -f $old ]] &&
    grep -qxF "package: $pkg" "$old" &&
    grep -qxF "version: $ver" "$old" &&
    grep -qxF "integrity: $integrity" "$old"; then
    date="$(sed -n 's/^vendored: //p' "$old" | head -n 1)"
  fi
  if [[ -z $date ]]; then
    if [[ -n ${SOURCE_DATE_EPOCH:-} ]]; then
      date="$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)"
    else
      date="$(date -u +%F)"
    fi
  fi
  {
    echo "package: $pkg"
    echo "version: $ver"
    echo "integrity: $integrity"
    echo "license: $license"
    for note in "$@"; do echo "$note"; done
    echo "vendored: $date"
    echo "by: scripts/vendor-static.sh (npm pack $pkg@$ver)"
    echo "files (sha256):"
    (cd "$dest" && find . -type f ! -name VERSION | sed 's|^\./||' | sort | xargs -r sha256sum | sed 's/^/  /')
  } >"$dest/VERSION"
}

# ---- KERN UX ------------------------------------------------------------------
kern_dir="$(fetch "$KERN_PKG" "$KERN_VERSION" "$KERN_INTEGRITY")"
kern_out="$STAGE/kern-ux"
mkdir -p "$kern_out"
for css in "${KERN_CSS[@]}"; do
  copy_css "$kern_dir/dist" "$css" "$kern_out"
done
put "$kern_dir/LICENSE.md" "$kern_out/LICENSE.md"
write_version "$kern_out" "$KERN_PKG" "$KERN_VERSION" "$KERN_INTEGRITY" \
  "$(npmq view "$KERN_PKG@$KERN_VERSION" license) (LICENSE.md)" \
  "fonts: Fira Sans, shipped in the package; the font is under the SIL Open Font License 1.1" \
  "usage: <link rel=\"stylesheet\" href=\"{% static 'vendor/kern-ux/fonts/fira-sans.css' %}\"> then vendor/kern-ux/kern.min.css"

# ---- htmx ---------------------------------------------------------------------
htmx_dir="$(fetch "$HTMX_PKG" "$HTMX_VERSION" "$HTMX_INTEGRITY")"
htmx_out="$STAGE/htmx"
mkdir -p "$htmx_out"
put "$htmx_dir/dist/htmx.min.js" "$htmx_out/htmx.min.js"
grep -q "version:\"$HTMX_VERSION\"" "$htmx_out/htmx.min.js" ||
  die "htmx.min.js does not announce version $HTMX_VERSION"
put "$htmx_dir/LICENSE" "$htmx_out/LICENSE"
write_version "$htmx_out" "$HTMX_PKG" "$HTMX_VERSION" "$HTMX_INTEGRITY" \
  "$(npmq view "$HTMX_PKG@$HTMX_VERSION" license) (LICENSE)"

# ---- swap in ------------------------------------------------------------------
mkdir -p "$VENDOR"
for name in kern-ux htmx; do
  rm -rf "${VENDOR:?}/$name"
  cp -R "$STAGE/$name" "$VENDOR/$name"
done

echo "vendor-static: $KERN_PKG@$KERN_VERSION and $HTMX_PKG@$HTMX_VERSION -> ${VENDOR#"$ROOT"/}"
(cd "$VENDOR" && find kern-ux htmx -type f | sort | xargs du -b | awk '{ printf "  %9d  %s\n", $1, $2 }')
