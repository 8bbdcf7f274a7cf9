#!/usr/bin/env bash
# Runs goleash's whole test suite on a fresh machine: installs what the tests need when it is missing
# (xmllint and shellcheck from Debian's packages, junitparser, cmarkgfm and zizmor from PyPI, the fixture module's Go dependencies,
# actionlint through the Go module proxy), then `cargo test --locked`. Go is required: the live tests run the
# fixture module. A missing tool fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test.sh: required tool '$1' is missing: $2" >&2; exit 1; }; }
need cargo "install Rust with rustup"
need go "install Go 1.24 or newer"
need python3 "install Python 3"

# Debian packages: xmllint (JUnit schema checks) and shellcheck (the Action's scripts).
missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
fi
need xmllint "Debian package libxml2-utils"
need shellcheck "Debian package shellcheck"
python3 -c 'import junitparser' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check junitparser
python3 -c 'import junitparser' || { echo "test.sh: junitparser (PyPI) could not be installed" >&2; exit 1; }
# cmarkgfm: GitHub's Markdown library (cmark-gfm), to render the job summary as GitHub does.
python3 -c 'import cmarkgfm' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check cmarkgfm
python3 -c 'import cmarkgfm' || { echo "test.sh: cmarkgfm (PyPI) could not be installed" >&2; exit 1; }
# zizmor (PyPI) audits the workflows and action.yml; pip puts it in ~/.local/bin without a virtualenv.
pyscripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
export PATH="$PATH:$HOME/.local/bin:$pyscripts"
command -v zizmor >/dev/null 2>&1 \
  || python3 -m pip install --quiet --disable-pip-version-check zizmor
need zizmor "pip install zizmor (PyPI)"

gopath=$(go env GOPATH)
export PATH="$PATH:${gopath}/bin"
if ! command -v actionlint >/dev/null 2>&1; then
  GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
fi
need actionlint "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

(cd fixtures/go && GOFLAGS=-mod=mod go mod download)

# Tests that need Go fail (instead of returning early) when it is missing.
export GOLEASH_REQUIRE_GO=1
cargo test --locked "$@"
