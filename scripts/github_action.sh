#!/usr/bin/env bash
# The steps of the GitHub composite action (action.yml at the repository's root): install archlint from
# the action's own folder into a virtual environment, run `check` with GitHub annotations, write SARIF
# when asked, and append the job summary (on pull requests the diff against the base branch first).
# The step itself always succeeds, so the SARIF upload still runs; action.yml's last step fails the job
# with the status recorded here (`exit-code`: check's status, or 1 when a diff gate is exceeded).
#
# Inputs come as environment variables: ARCHLINT_PATHS (space-separated, default "."), ARCHLINT_ARGS
# (more options for check), ARCHLINT_SARIF (true/false), ARCHLINT_SUMMARY (true/false), ARCHLINT_DIFF
# (true/false), ARCHLINT_FAIL_ON_INCREASE (gates for the diff), ARCHLINT_INTERPRETER (the Python that
# makes the environment, default python3). ARCHLINT_PYTHON names an interpreter that already has
# archlint: then nothing is installed (the tests use it).
set -uo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
output=${GITHUB_OUTPUT:-/dev/null}
python=${ARCHLINT_PYTHON:-}
if [ -z "$python" ]; then
  echo "::group::Install archlint from $action_path"
  "${ARCHLINT_INTERPRETER:-python3}" -m venv "$temp/archlint-venv" &&
    "$temp/archlint-venv/bin/python" -m pip install -q --disable-pip-version-check "$action_path" || {
      echo "::error title=archlint::could not install archlint from $action_path"
      echo "exit-code=2" >> "$output"
      exit 0
    }
  python="$temp/archlint-venv/bin/python"
  echo "::endgroup::"
fi

read -r -a paths <<< "${ARCHLINT_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
read -r -a args <<< "${ARCHLINT_ARGS:-}"

"$python" -m archlint check --output-format github ${args[@]+"${args[@]}"} "${paths[@]}"
status=$?

if [ "${ARCHLINT_SARIF:-false}" = "true" ]; then
  "$python" -m archlint check --output-format sarif --exit-zero ${args[@]+"${args[@]}"} "${paths[@]}" \
    > "$temp/archlint.sarif"
  echo "sarif-file=$temp/archlint.sarif" >> "$output"
fi

"$python" -m archlint.ci_summary "${paths[@]}"  # reads ARCHLINT_SUMMARY, ARCHLINT_DIFF, ARCHLINT_FAIL_ON_INCREASE
gate=$?
if [ "$gate" -ne 0 ] && [ "$status" -eq 0 ]; then
  status=$gate
fi

echo "exit-code=$status" >> "$output"
exit 0
