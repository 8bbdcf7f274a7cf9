#!/usr/bin/env bash
# Packs one release archive the way .github/workflows/release.yml publishes it (the Action's install
# script and its tests rely on this layout):
#
#   goleash-vX.Y.Z-TARGET.tar.gz   (TARGET *-windows-*: goleash-vX.Y.Z-TARGET.zip)
#   └── goleash-vX.Y.Z-TARGET/
#       ├── goleash                (goleash.exe on Windows)
#       ├── LICENSE
#       └── README.md
#   goleash-vX.Y.Z-TARGET.tar.gz.sha256   "<sha256>  goleash-vX.Y.Z-TARGET.tar.gz"
#
# Usage: scripts/package-release.sh vX.Y.Z TARGET BINARY OUT_DIR
# Prints the archive's path.
set -euo pipefail

[[ $# -eq 4 ]] || { echo "usage: $0 vX.Y.Z TARGET BINARY OUT_DIR" >&2; exit 2; }
tag=$1 triple=$2 binary=$3 out=$4
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || { echo "$0: bad tag '$tag'" >&2; exit 2; }
[[ -f $binary ]] || { echo "$0: no binary at '$binary'" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)

name="goleash-${tag}-${triple}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "${stage}/${name}"
exe=goleash
[[ $triple == *windows* ]] && exe=goleash.exe
cp "$binary" "${stage}/${name}/${exe}"
chmod 0755 "${stage}/${name}/${exe}"
cp "${here}/LICENSE" "${here}/README.md" "${stage}/${name}/"

if [[ $triple == *windows* ]]; then
  asset="${name}.zip"
  rm -f "${out}/${asset}"
  if command -v zip >/dev/null 2>&1; then
    (cd "$stage" && zip -q -r -X "${out}/${asset}" "$name")
  else
    (cd "$stage" && 7z a -tzip -bd "${out}/${asset}" "$name" >/dev/null)
  fi
else
  asset="${name}.tar.gz"
  tar -C "$stage" -czf "${out}/${asset}" "$name"
fi

if command -v sha256sum >/dev/null 2>&1; then
  sum=$(sha256sum "${out}/${asset}" | cut -d' ' -f1)
else
  sum=$(shasum -a 256 "${out}/${asset}" | cut -d' ' -f1)
fi
printf '%s  %s\n' "$sum" "$asset" >"${out}/${asset}.sha256"
printf '%s\n' "${out}/${asset}"
