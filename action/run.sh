#!/usr/bin/env bash
# The goleash Action's main step: runs the `run` command (with pipefail, so that its own exit status is
# kept) or reads the `report` file, through goleash; prints annotations; appends the job summary; writes
# JUnit and JSON; saves the `go test -json` stream for the check-run step (action/publish.sh); sets the
# outputs `leaks`, `failed`, `junit` (and `stream`, for the next step).
#
# No GitHub token is in this step's environment: the user's command, its tests and everything they
# start cannot see it (not even through /proc/PID/environ of this script or of goleash). The check run
# is published by the next step, after the tests have exited. GITHUB_TOKEN and GOLEASH_GITHUB_TOKEN
# are removed from the command's environment all the same, in case the workflow sets them for the job.
#
# Inputs arrive only through the environment (action.yml maps them):
#   GOLEASH_RUN, GOLEASH_REPORT, GOLEASH_WORKING_DIRECTORY, GOLEASH_JUNIT, GOLEASH_JSON,
#   GOLEASH_BASELINE, GOLEASH_FAIL_ON, GOLEASH_CHECKS (only checked here; action/publish.sh publishes)
# and the runner's own GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, RUNNER_OS.
#
# `run` runs as `bash -o pipefail -c "$run"` (errexit off, as in a login shell: a failing command in the
# middle does not stop it, only the status of its last pipeline counts), in `working-directory`, with
# standard error merged into standard output.
#
# Exit status: the `run` command's status when it failed; else goleash's own 2 when it could not do its
# job (or the stream could not be saved); else goleash's (0, or 1 for failing tests or leaks per
# `fail-on`).
#
# The command's output is never printed as such (test output could pose as workflow commands): it goes
# to goleash, which shows it inert, and to the `report` file when one is named.
set -uo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

run=${GOLEASH_RUN:-}
report=${GOLEASH_REPORT:-}
workdir=${GOLEASH_WORKING_DIRECTORY:-.}
fail_on=${GOLEASH_FAIL_ON:-any}
baseline=${GOLEASH_BASELINE:-}
temp=$(to_posix "${RUNNER_TEMP:-${TMPDIR:-/tmp}}")

[[ -n $run || -n $report ]] || die "set the 'run' input (a command such as 'go test -json ./...') or the 'report' input (a go test -json file)"
case $fail_on in any | leak | new | flaky | never) ;; *) die "fail-on must be any, leak, new, flaky or never" ;; esac
case ${GOLEASH_CHECKS:-false} in true | false) ;; *) die "checks must be true or false" ;; esac
for input in report junit json baseline working-directory; do
  var=GOLEASH_${input^^}
  var=${var//-/_}
  one_line "$input" "${!var:-}"
done
command -v goleash >/dev/null 2>&1 || die "goleash is not on PATH"

root=$(cd -- "$(to_posix "$workdir")" 2>/dev/null && pwd) || die "working-directory does not exist"
mkdir -p -- "$temp" 2>/dev/null
out_dir=$(mktemp -d "${temp}/goleash.XXXXXX") || die "cannot create a temporary folder in ${temp}"
junit=$(abs "${GOLEASH_JUNIT:-${out_dir}/junit.xml}")
json=$(abs "${GOLEASH_JSON:-${out_dir}/goleash.json}")
stream=${out_dir}/go-test.json
[[ -n $report ]] && report=$(abs "$report")
[[ -n $baseline ]] && baseline=$(abs "$baseline")

# The Action creates the folders of its outputs (the CLI itself exits 2 for a missing folder).
made=("$junit" "$json")
[[ -n $run && -n $report ]] && made+=("$report")
for f in "${made[@]}"; do
  mkdir -p -- "$(dirname -- "$f")" || die "cannot create the folder of ${f}"
done

args=(--root "$(to_native "$root")" --junit "$(to_native "$junit")" --json "$(to_native "$json")"
  --fail-on "$fail_on" --github always)
[[ -n $baseline ]] && args+=(--baseline "$(to_native "$baseline")")
[[ -n ${GITHUB_STEP_SUMMARY:-} ]] && args+=(--summary "$(to_native "$GITHUB_STEP_SUMMARY")")

run_status=0
tee_status=0
if [[ -n $run ]]; then
  # The subshell runs the user's command without any token; its status is PIPESTATUS[0] whatever
  # goleash does. tee saves the stream for the check-run step (and into `report` when named).
  saved=("$stream")
  [[ -n $report ]] && saved+=("$report")
  (cd -- "$root" && exec env -u GITHUB_TOKEN -u GOLEASH_GITHUB_TOKEN bash -o pipefail -c "$run") 2>&1 \
    | tee -- "${saved[@]}" | goleash "${args[@]}" -
  statuses=("${PIPESTATUS[@]}")
  run_status=${statuses[0]}
  tee_status=${statuses[1]}
  goleash_status=${statuses[2]}
else
  [[ -r $report ]] || die "the report file cannot be read"
  cp -- "$report" "$stream" || die "cannot copy the report to ${stream}"
  goleash "${args[@]}" "$(to_native "$report")"
  goleash_status=$?
fi

number() {
  # The first `"KEY": N` of the pretty-printed report is the summary's.
  grep -m1 -oE "\"$1\": [0-9]+" "$json" 2>/dev/null | grep -oE '[0-9]+$' || true
}

if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  {
    printf 'leaks=%s\n' "$(number leaks)"
    printf 'failed=%s\n' "$(number failed)"
    printf 'junit=%s\n' "$(to_native "$junit")"
    printf 'stream=%s\n' "$(to_native "$stream")"
  } >>"$(to_posix "$GITHUB_OUTPUT")"
fi

# A failed run command keeps its own status even when goleash exited 2 (most often because the command
# printed nothing goleash could read): the command is the step's failure.
if ((goleash_status >= 2 && run_status == 0)); then
  exit "$goleash_status"
fi
if ((tee_status != 0)); then
  say "the command's output could not be saved (tee exited with status ${tee_status}): ${report:-$stream}"
  exit 2
fi
if ((run_status != 0)); then
  say "the run command exited with status ${run_status}"
  exit "$run_status"
fi
exit "$goleash_status"
