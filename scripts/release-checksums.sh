#!/usr/bin/env bash
# Writes action/checksums from a release's `*.sha256` files (as scripts/package-release.sh makes them),
# sorted by asset name, for the release workflow to commit: every later commit of the action, SHA pins
# included, then verifies the binary it downloads against a checksum that is part of that commit.
#
# Usage: scripts/release-checksums.sh DIR [OUT]   (OUT defaults to action/checksums)
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [OUT]" >&2; exit 2; }
dir=$1
out=${2:-$(cd "$(dirname "$0")/.." && pwd)/action/checksums}
shopt -s nullglob
files=("$dir"/*.sha256)
[[ ${#files[@]} -gt 0 ]] || { echo "$0: no .sha256 files in $dir" >&2; exit 1; }
{
  echo "# SHA-256 of the release archives of the version in action/version (written by scripts/release-checksums.sh)."
  cat "${files[@]}" | sort -k2
} >"$out"
