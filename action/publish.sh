#!/usr/bin/env bash
# The goleash Action's check-run step (only with `checks: true`): runs after the main step, when the
# user's command and its tests have exited, and is the only step that holds the token
# (GOLEASH_GITHUB_TOKEN). It reads the `go test -json` stream the main step saved and publishes the
# check run with goleash --checks; annotations, the job summary and the reports were already written by
# the main step, so nothing else is printed. A check run that cannot be published is a warning from
# goleash, never a failure of this step; goleash failing to run at all is status 2.
#
# Environment (action.yml): GOLEASH_STREAM (the main step's `stream` output), GOLEASH_WORKING_DIRECTORY,
# GOLEASH_BASELINE, GOLEASH_FAIL_ON, GOLEASH_CHECK_SHA, GOLEASH_CHECK_NAME, GOLEASH_GITHUB_TOKEN,
# GOLEASH_JOB_ID, and the runner's GITHUB_* variables.
set -uo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

stream=${GOLEASH_STREAM:-}
[[ -n $stream ]] || die "the main step saved no go test stream; no check run"
stream=$(to_posix "$stream")
[[ -r $stream ]] || die "the saved go test stream ${stream} cannot be read; no check run"
[[ -n ${GOLEASH_GITHUB_TOKEN:-} ]] || die "the token input is empty; no check run"
command -v goleash >/dev/null 2>&1 || die "goleash is not on PATH"
root=$(cd -- "$(to_posix "${GOLEASH_WORKING_DIRECTORY:-.}")" 2>/dev/null && pwd) || die "working-directory does not exist"

args=(--root "$(to_native "$root")" --fail-on "${GOLEASH_FAIL_ON:-any}" --github never --quiet --color never --checks)
[[ -n ${GOLEASH_BASELINE:-} ]] && args+=(--baseline "$(to_native "$(abs "$GOLEASH_BASELINE")")")
[[ -n ${GOLEASH_CHECK_SHA:-} ]] && args+=(--check-sha "$GOLEASH_CHECK_SHA")
[[ -n ${GOLEASH_CHECK_NAME:-} ]] && args+=(--check-name "$GOLEASH_CHECK_NAME")

# Only the check run: no second job summary, no second set of annotations or terminal report.
env -u GITHUB_STEP_SUMMARY -u GITHUB_TOKEN goleash "${args[@]}" "$(to_native "$stream")" >/dev/null
status=$?
if ((status >= 2)); then
  exit "$status"
fi
exit 0
