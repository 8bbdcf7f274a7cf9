#!/usr/bin/env bash
# The goleash Action's step: runs the `run` command (with pipefail, so that its own exit status is
# kept) or reads the `report` file, through goleash; prints annotations; appends the job summary; writes
# JUnit and JSON; publishes the check run when asked; sets the outputs `leaks`, `failed`, `junit`.
#
# Inputs arrive only through the environment (action.yml maps them):
#   GOLEASH_RUN, GOLEASH_REPORT, GOLEASH_WORKING_DIRECTORY, GOLEASH_JUNIT, GOLEASH_JSON,
#   GOLEASH_BASELINE, GOLEASH_FAIL_ON, GOLEASH_CHECKS, GITHUB_TOKEN
# and the runner's own GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP.
#
# Exit status: the `run` command's status when it failed; else goleash's own 2 when it could not do its
# job; else goleash's (0, or 1 for failing tests or leaks per `fail-on`).
#
# The command's output is never printed as such (test output could pose as workflow commands): it goes
# to goleash, which shows it inert, and to the `report` file when one is named.
set -uo pipefail

die() {
  printf 'goleash action: %s\n' "$*" >&2
  exit 2
}

run=${GOLEASH_RUN:-}
report=${GOLEASH_REPORT:-}
workdir=${GOLEASH_WORKING_DIRECTORY:-.}
fail_on=${GOLEASH_FAIL_ON:-any}
checks=${GOLEASH_CHECKS:-false}
baseline=${GOLEASH_BASELINE:-}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

[[ -n $run || -n $report ]] || die "set the 'run' input (a command such as 'go test -json ./...') or the 'report' input (a go test -json file)"
case $fail_on in any | leak | never) ;; *) die "fail-on must be any, leak or never" ;; esac
case $checks in true | false) ;; *) die "checks must be true or false" ;; esac
command -v goleash >/dev/null 2>&1 || die "goleash is not on PATH"

abs() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

root=$(cd -- "$workdir" 2>/dev/null && pwd) || die "working-directory does not exist"
out_dir=$(mktemp -d "${temp}/goleash.XXXXXX") || die "cannot create a temporary folder in ${temp}"
junit=$(abs "${GOLEASH_JUNIT:-${out_dir}/junit.xml}")
json=$(abs "${GOLEASH_JSON:-${out_dir}/goleash.json}")
[[ -n $report ]] && report=$(abs "$report")
[[ -n $baseline ]] && baseline=$(abs "$baseline")

args=(--root "$root" --junit "$junit" --json "$json" --fail-on "$fail_on" --github always)
[[ -n $baseline ]] && args+=(--baseline "$baseline")
[[ -n ${GITHUB_STEP_SUMMARY:-} ]] && args+=(--summary "$GITHUB_STEP_SUMMARY")
[[ $checks == true ]] && args+=(--checks)

run_status=0
if [[ -n $run ]]; then
  # The subshell runs the user's command; its status is PIPESTATUS[0] whatever goleash does.
  if [[ -n $report ]]; then
    (cd -- "$root" && bash -o pipefail -c "$run") 2>&1 | tee -- "$report" | goleash "${args[@]}" -
    statuses=("${PIPESTATUS[@]}")
    run_status=${statuses[0]}
    goleash_status=${statuses[2]}
  else
    (cd -- "$root" && bash -o pipefail -c "$run") 2>&1 | goleash "${args[@]}" -
    statuses=("${PIPESTATUS[@]}")
    run_status=${statuses[0]}
    goleash_status=${statuses[1]}
  fi
else
  [[ -r $report ]] || die "the report file cannot be read"
  goleash "${args[@]}" "$report"
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
    printf 'junit=%s\n' "$junit"
  } >>"$GITHUB_OUTPUT"
fi

# A failed run command keeps its own status even when goleash exited 2 (most often because the command
# printed nothing goleash could read): the command is the step's failure.
if ((goleash_status >= 2 && run_status == 0)); then
  exit "$goleash_status"
fi
if ((run_status != 0)); then
  printf 'goleash action: the run command exited with status %d\n' "$run_status" >&2
  exit "$run_status"
fi
exit "$goleash_status"
