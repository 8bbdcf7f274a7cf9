#!/usr/bin/env bash
# Installs goleash for the goleash Action and puts it on the job's PATH.
#
# When the action is used at a release tag (uses: owner/goleash@v1.2.3), or the `version` input names
# one, the prebuilt release asset for the runner's OS and architecture is downloaded and its SHA-256
# checked; otherwise (a branch, a commit, `uses: ./`), or when the download fails, goleash is built
# from the action's own source with `cargo install --locked --path "$GITHUB_ACTION_PATH"`.
#
# Environment (set by action.yml from its inputs and the github context; never from `${{ }}` inside
# the script):
#   GOLEASH_VERSION            the `version` input (a release tag), may be empty
#   GOLEASH_ACTION_REF         github.action_ref, may be empty (composite actions)
#   GOLEASH_ACTION_REPOSITORY  github.action_repository, may be empty
#   GITHUB_ACTION_PATH, GITHUB_PATH, GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP (the runner's)
#   GOLEASH_INSTALL_DRY_RUN=1  print what would be done, do nothing (for tests)
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
ref=${GOLEASH_VERSION:-${GOLEASH_ACTION_REF:-}}
repository=${GOLEASH_ACTION_REPOSITORY:-}
server=${GITHUB_SERVER_URL:-https://github.com}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
dry_run=${GOLEASH_INSTALL_DRY_RUN:-}

# Composite actions may see an empty github.action_ref: the runner checks actions out under
# .../_actions/OWNER/NAME/REF, which says the same.
if [[ $action_path =~ /_actions/([^/]+)/([^/]+)/([^/]+)/?$ ]]; then
  repository=${repository:-${BASH_REMATCH[1]}/${BASH_REMATCH[2]}}
  if [[ -z ${GOLEASH_VERSION:-} && -z ${GOLEASH_ACTION_REF:-} ]]; then
    ref=${BASH_REMATCH[3]}
  fi
fi

is_release() {
  [[ $1 =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]
}

target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-gnu ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

add_to_path() {
  if [[ -n ${GITHUB_PATH:-} ]]; then
    printf '%s\n' "$1" >>"$GITHUB_PATH"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Downloads and unpacks the release asset into $1; fails quietly (status 1) when anything is missing.
download_release() {
  local bin_dir=$1 tag=$2 triple=$3 ext=tar.gz
  [[ $triple == *windows* ]] && ext=zip
  local asset="goleash-${tag}-${triple}.${ext}"
  local url="${server}/${repository}/releases/download/${tag}/${asset}"
  if [[ -n $dry_run ]]; then
    echo "download ${url}"
    echo "verify ${url}.sha256"
    echo "install into ${bin_dir}"
    return 0
  fi
  local work
  work=$(mktemp -d "${temp}/goleash-download.XXXXXX")
  curl -fsSL --retry 3 -o "${work}/${asset}" "$url" || return 1
  curl -fsSL --retry 3 -o "${work}/${asset}.sha256" "${url}.sha256" || return 1
  local want got
  want=$(cut -d' ' -f1 <"${work}/${asset}.sha256")
  got=$(sha256 "${work}/${asset}")
  if [[ -z $want || $want != "$got" ]]; then
    echo "goleash action: checksum mismatch for ${asset}" >&2
    return 1
  fi
  mkdir -p "$bin_dir"
  if [[ $ext == zip ]]; then
    unzip -q -o -j "${work}/${asset}" -d "$bin_dir" || return 1
  else
    tar -xzf "${work}/${asset}" -C "$bin_dir" --strip-components=1 || return 1
  fi
  [[ -x "${bin_dir}/goleash" || -x "${bin_dir}/goleash.exe" ]]
}

build_from_source() {
  local root="${temp}/goleash-cargo"
  if [[ -n $dry_run ]]; then
    echo "cargo install --locked --path ${action_path} --root ${root}"
    echo "install into ${root}/bin"
    return 0
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "goleash action: cargo is not installed; install Rust (e.g. dtolnay/rust-toolchain) or use the action at a release tag" >&2
    exit 2
  fi
  cargo install --locked --quiet --path "$action_path" --root "$root"
  add_to_path "${root}/bin"
  "${root}/bin/goleash" --version
}

triple=$(target)
if is_release "$ref" && [[ -n $repository && -n $triple ]]; then
  tag=$ref
  [[ $tag == v* ]] || tag="v${tag}"
  bin_dir="${temp}/goleash-${tag}"
  if download_release "$bin_dir" "$tag" "$triple"; then
    if [[ -z $dry_run ]]; then
      add_to_path "$bin_dir"
      "${bin_dir}/goleash" --version
    fi
    exit 0
  fi
  echo "goleash action: no usable release asset for ${tag} (${triple}); building from source" >&2
fi
build_from_source
