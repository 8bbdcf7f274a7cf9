#!/usr/bin/env bash
# Shared by the goleash Action's scripts (sourced, never run): messages and paths on every runner.
#
# On Windows runners the scripts run in Git Bash while the runner hands out Windows paths
# (RUNNER_TEMP=D:\a\_temp, GITHUB_ACTION_PATH=D:\a\_actions\OWNER\goleash\REF, GITHUB_OUTPUT, inputs
# such as reports\junit.xml): bash opens the POSIX form (`cygpath -u`, /d/a/_temp), goleash.exe and
# the job's later steps get the mixed form (`cygpath -m`, D:/a/_temp), which every Windows program and
# Git Bash accept. Without cygpath, backslashes become slashes. Elsewhere paths are left as they are.

say() { printf 'goleash action: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 2
}

windows=false
[[ ${RUNNER_OS:-} == Windows ]] && windows=true

have_cygpath() { [[ $windows == true ]] && command -v cygpath >/dev/null 2>&1; }

# A path bash can open.
to_posix() {
  if have_cygpath; then
    cygpath -u -- "$1"
  elif [[ $windows == true ]]; then
    printf '%s\n' "${1//\\//}"
  else
    printf '%s\n' "$1"
  fi
}

# A path for goleash and for the job's later steps.
to_native() {
  if have_cygpath; then
    cygpath -m -- "$1"
  elif [[ $windows == true ]]; then
    printf '%s\n' "${1//\\//}"
  else
    printf '%s\n' "$1"
  fi
}

# The absolute POSIX form of a path given relative to the current folder or absolute in either form.
abs() {
  local p
  p=$(to_posix "$1")
  case $p in
    /*) printf '%s\n' "$p" ;;
    [A-Za-z]:/*) printf '%s\n' "$p" ;;
    *) printf '%s/%s\n' "$PWD" "$p" ;;
  esac
}

# Fails when a value cannot be written as one `key=value` line of $GITHUB_OUTPUT (a newline would
# let a path forge further outputs).
one_line() {
  case $2 in
    *$'\n'* | *$'\r'*) die "$1 must not contain a line break" ;;
  esac
}
