#!/usr/bin/env bash
# Installs goleash for the goleash Action and puts it on the job's PATH.
#
# Every ref of the action (a release tag, `v0`, `main`, a commit SHA) installs the release named in
# action/version (or the `version` input): the archive for the runner's OS and architecture is
# downloaded from the release and its SHA-256 checked against action/checksums, which the release
# workflow commits for every release, so a SHA pin verifies the binary against a checksum that is part
# of the pinned commit. At the release tag itself (its commit predates the checksum commit) the
# release's own `.sha256` file is used instead. Where `gh` exists, its build-provenance attestation is
# verified too. A checksum that does not match stops the step (status 2): nothing is installed and
# nothing is built instead. A missing asset (a runner the release has no binary for, a version that was
# never released) falls back to building from the action's own source with `cargo install`, saying why;
# `version: source` always builds from source.
#
# Environment (set by action.yml from its inputs and the github context; never `${{ }}` in the script):
#   GOLEASH_VERSION            the `version` input: empty, `X.Y.Z`/`vX.Y.Z`, or `source`
#   GOLEASH_DOWNLOAD_URL       the `download-url` input: where releases are (default GITHUB_SERVER_URL,
#                              e.g. a GitHub Enterprise Server host, or https://github.com)
#   GOLEASH_ACTION_REPOSITORY  github.action_repository, may be empty
#   GITHUB_ACTION_PATH, GITHUB_PATH, GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP (the
#   runner's; on Windows these are Windows paths such as D:\a\_temp, converted with cygpath)
#   GH_TOKEN                   for `gh attestation verify` only
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# The job token is only for `gh attestation verify`: nothing else here (cargo's build scripts) gets it.
gh_token=${GH_TOKEN:-}
unset GH_TOKEN GITHUB_TOKEN GOLEASH_GITHUB_TOKEN

action_path_raw=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
action_path=$(to_posix "$action_path_raw")
repository=${GOLEASH_ACTION_REPOSITORY:-}
server=${GOLEASH_DOWNLOAD_URL:-${GITHUB_SERVER_URL:-https://github.com}}
server=${server%/}
temp=$(to_posix "${RUNNER_TEMP:-${TMPDIR:-/tmp}}")

# The runner checks actions out under .../_actions/OWNER/NAME/REF (with backslashes on Windows).
if [[ -z $repository && ${action_path_raw//\\//} =~ /_actions/([^/]+)/([^/]+)/[^/]+/?$ ]]; then
  repository=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
fi

target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    Windows/ARM64) echo aarch64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

add_to_path() {
  if [[ -n ${GITHUB_PATH:-} ]]; then
    to_native "$1" >>"$(to_posix "$GITHUB_PATH")"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

build_from_source() {
  local root="${temp}/goleash-cargo"
  if ! command -v cargo >/dev/null 2>&1; then
    die "cargo is not installed, so goleash cannot be built from source; install Rust (e.g. dtolnay/rust-toolchain) or use a version that has a release for this runner"
  fi
  say "building goleash from ${action_path} with cargo install (cached by actions/cache when the workflow restores ${root})"
  cargo install --locked --quiet --path "$action_path" --root "$root"
  add_to_path "${root}/bin"
  "${root}/bin/goleash" --version
}

unpack() {
  local archive=$1 into=$2
  mkdir -p "$into"
  case $archive in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$archive" -d "$into"
      else
        tar -xf "$archive" -C "$into"
      fi
      ;;
    *) tar -xzf "$archive" -C "$into" ;;
  esac
}

version=${GOLEASH_VERSION:-}
if [[ $version == source ]]; then
  build_from_source
  exit 0
fi
if [[ -z $version ]]; then
  [[ -r "${action_path}/action/version" ]] || die "${action_path}/action/version is missing"
  version=$(tr -d ' \r\n' <"${action_path}/action/version")
fi
[[ $version =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || die "version must be X.Y.Z, vX.Y.Z or source, not '${version}'"
tag=v${version#v}

triple=$(target)
if [[ -z $triple ]]; then
  say "goleash ${tag} has no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building from source"
  build_from_source
  exit 0
fi
if [[ -z $repository ]]; then
  say "the action's repository is unknown (no github.action_repository, not under _actions/); building from source"
  build_from_source
  exit 0
fi

ext=tar.gz
[[ $triple == *windows* ]] && ext=zip
asset="goleash-${tag}-${triple}.${ext}"
url="${server}/${repository}/releases/download/${tag}/${asset}"
work=$(mktemp -d "${temp}/goleash-download.XXXXXX")

# The checksum committed with the action, if this commit has one for the release.
want=""
if [[ -r "${action_path}/action/checksums" ]]; then
  want=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1; exit }' "${action_path}/action/checksums")
fi

code=$(curl -sSL --retry 3 --proto '=https,http' -o "${work}/${asset}" -w '%{http_code}' "$url" 2>/dev/null) || true
if [[ $code != 200 ]]; then
  why="HTTP ${code}"
  [[ $code == 000 || -z $code ]] && why="no answer from ${server}"
  say "no usable release asset ${url} (${why}); building from source"
  build_from_source
  exit 0
fi
source_of_sum="action/checksums"
if [[ -z $want ]]; then
  source_of_sum="the release's ${asset}.sha256"
  curl -fsSL --retry 3 -o "${work}/${asset}.sha256" "${url}.sha256" 2>/dev/null \
    || die "${asset}: action/checksums has no entry for it and the release has no ${asset}.sha256; refusing an unverified binary"
  want=$(cut -d' ' -f1 <"${work}/${asset}.sha256")
fi
got=$(sha256 "${work}/${asset}")
if [[ $want != "$got" ]]; then
  die "checksum mismatch for ${asset}: ${source_of_sum} says ${want}, the download is ${got}; refusing to install it"
fi
say "${asset}: SHA-256 ${got} matches ${source_of_sum}"

if command -v gh >/dev/null 2>&1 && [[ -n $gh_token ]]; then
  if GH_TOKEN=$gh_token gh attestation verify "${work}/${asset}" --repo "$repository" >/dev/null 2>&1; then
    say "${asset}: build-provenance attestation verified"
  else
    say "warning: the build-provenance attestation of ${asset} could not be verified (gh attestation verify failed); the checksum matched"
  fi
fi

bin_dir="${temp}/goleash-${tag}"
unpack "${work}/${asset}" "$work/unpacked"
rm -rf "$bin_dir"
mv "${work}/unpacked/goleash-${tag}-${triple}" "$bin_dir" || die "${asset} does not hold goleash-${tag}-${triple}/"
exe="${bin_dir}/goleash"
[[ $windows == true ]] && exe="${bin_dir}/goleash.exe"
[[ -x $exe ]] || die "${asset} does not hold an executable goleash"
rm -rf "$work"
add_to_path "$bin_dir"
"$exe" --version
