#!/usr/bin/env bash
# Installs a staffroom release for the GitHub Action in ../action.yml; the logic lives here
# rather than in the YAML so that tests/action_install.rs can run it.
#
#   install.sh plan      work out the version, target and tool folder; write them to
#                        $GITHUB_OUTPUT (the action keys its cache on them)
#   install.sh install   put that version's binary in the tool folder and on $GITHUB_PATH:
#                        the folder as it is if present (restored by actions/cache), else
#                        the release archive, checked against its published SHA-256, else
#                        (no binary for this runner) compiled from source with cargo
#   install.sh run       run `staffroom $STAFFROOM_ARGS` with the installed binary
#
# Environment:
#   INPUT_VERSION           release to install: 1.2.3 or v1.2.3; empty: ACTION_REF when it
#                           looks like v1.2.3, else the latest release
#   ACTION_REF              the ref the workflow named the action by (github.action_ref)
#   STAFFROOM_ARGS          for `run`
#   STAFFROOM_RELEASES_URL  for testing only: where releases are downloaded from, instead
#                           of <repository>/releases (a test points it at 127.0.0.1)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT
#                           as GitHub's runners set them
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "::error title=staffroom::$*"
  exit 1
}

# The repository's address is written once, in Cargo.toml, which the action's checkout has.
# (Functions set globals rather than print: a `fail` inside $(...) would lose its message.)
find_repository() {
  repo="$(sed -n 's/^repository *= *"\(.*\)"$/\1/p' "$here/../Cargo.toml" | head -n 1)"
  [[ -n "$repo" ]] || fail "$here/../Cargo.toml has no repository = \"...\" line; the action needs it to find releases."
}

# On Windows runners bash is Git Bash: it wants /c/... paths, the runner wants C:\...
unix_path() { if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else echo "$1"; fi; }
native_path() { if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else echo "$1"; fi; }

runner_os() {
  if [[ -n "${RUNNER_OS:-}" ]]; then echo "$RUNNER_OS"; return; fi
  case "$(uname -s)" in
    Linux) echo Linux ;;
    Darwin) echo macOS ;;
    MINGW* | MSYS* | CYGWIN*) echo Windows ;;
    *) uname -s ;;
  esac
}

runner_arch() {
  if [[ -n "${RUNNER_ARCH:-}" ]]; then echo "$RUNNER_ARCH"; return; fi
  case "$(uname -m)" in
    x86_64 | amd64) echo X64 ;;
    aarch64 | arm64) echo ARM64 ;;
    *) uname -m ;;
  esac
}

# The targets cargo-dist builds (dist-workspace.toml); anything else has no binary.
target_for() {
  case "$1/$2" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    # Windows on Arm runs x86_64 programs.
    Windows/X64 | Windows/ARM64) echo x86_64-pc-windows-msvc ;;
    *) echo "none-$1-$2" ;;
  esac
}

latest_version() {
  local location
  # github.com answers /releases/latest with a redirect to /releases/tag/vX.Y.Z; reading
  # the redirect needs no API token and has no API rate limit.
  location="$(curl -sS --retry 3 -o /dev/null -w '%{redirect_url}' "$releases/latest")" ||
    fail "Could not reach $releases/latest to find the latest staffroom release. Re-run the job, or give the action a version, e.g. version: 0.1.0"
  if [[ "$location" =~ /tag/v([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?)$ ]]; then
    version="${BASH_REMATCH[1]}"
  else
    fail "Found no staffroom release at $releases. Give the action a version, e.g. version: 0.1.0"
  fi
}

resolve() {
  find_repository
  releases="${STAFFROOM_RELEASES_URL:-$repo/releases}"
  releases="${releases%/}"
  local semver='^v?([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?)$'
  # github.action_ref can be empty in composite actions (actions/runner#2473); the folder
  # the runner checked the action out to ends in the ref too.
  local ref="${ACTION_REF:-}"
  [[ -n "$ref" ]] || ref="$(basename "${GITHUB_ACTION_PATH:-}")"
  if [[ -n "${INPUT_VERSION:-}" ]]; then
    [[ "$INPUT_VERSION" =~ $semver ]] ||
      fail "version: '$INPUT_VERSION' is not a release number. Write it like 0.1.0 (or v0.1.0), or leave it out for the latest release."
    version="${BASH_REMATCH[1]}"
  elif [[ "$ref" == v* && "$ref" =~ $semver ]]; then
    version="${BASH_REMATCH[1]}"
  else
    latest_version
  fi
  os="$(runner_os)"
  arch="$(runner_arch)"
  target="$(target_for "$os" "$arch")"
  exe=""
  [[ "$os" == Windows ]] && exe=".exe"
  local cache="${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}"
  dir="$(unix_path "$cache")/staffroom/$version/$target"
}

put_on_path() {
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    native_path "$dir" >>"$GITHUB_PATH"
  else
    echo "Add $dir to PATH to use staffroom."
  fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "path=$(native_path "$dir")" >>"$GITHUB_OUTPUT"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    actual="$(sha256sum "$1" | cut -d ' ' -f 1)"
  elif command -v shasum >/dev/null 2>&1; then
    actual="$(shasum -a 256 "$1" | cut -d ' ' -f 1)"
  else
    fail "This runner has neither sha256sum nor shasum, so the download cannot be checked. Nothing was installed."
  fi
}

# Sets $status to the HTTP status; the body goes to $2. A network failure is fatal, a
# status is for the caller to judge.
download() {
  status="$(curl -sSL --retry 3 -o "$2" -w '%{http_code}' "$1")" ||
    fail "Could not download $1. Re-run the job; if it keeps failing, GitHub may be having trouble."
}

from_source() {
  local why="$1" work="$2"
  echo "::warning title=staffroom::$why, so staffroom $version is being compiled from source with cargo. This takes several minutes."
  command -v cargo >/dev/null 2>&1 ||
    fail "Compiling staffroom needs Rust's cargo, which this runner does not have. Add a step that installs Rust before this one, or use a runner with a prebuilt binary (Linux, macOS or Windows on x86_64 or ARM64)."
  # --root keeps the result in the tool folder, so actions/cache saves it and the next run
  # of this job does not compile again.
  cargo install --git "$repo" --tag "v$version" --locked --root "$work/cargo" staffroom ||
    fail "cargo could not compile staffroom $version (see the lines above)."
  mkdir -p "$work/tool"
  mv "$work/cargo/bin/staffroom$exe" "$work/tool/"
}

from_release() {
  local work="$1" archive expected actual
  if [[ "$exe" == .exe ]]; then archive="staffroom-$target.zip"; else archive="staffroom-$target.tar.xz"; fi
  local url="$releases/download/v$version/$archive"
  download "$url" "$work/$archive"
  if [[ "$status" == 404 ]]; then
    from_source "Release v$version has no staffroom binary for this runner ($os $arch: $url was not found)" "$work"
    return
  fi
  [[ "$status" == 200 ]] || fail "Downloading $url answered HTTP $status. Re-run the job; if it keeps failing, GitHub may be having trouble."
  download "$url.sha256" "$work/$archive.sha256"
  [[ "$status" == 200 ]] || fail "Release v$version has no checksum file $archive.sha256 (HTTP $status), so the download cannot be checked. Nothing was installed."
  expected="$(head -n 1 "$work/$archive.sha256" | cut -d ' ' -f 1 | tr 'A-F' 'a-f')"
  sha256_of "$work/$archive"
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "$url.sha256 does not hold a SHA-256 checksum. Nothing was installed."
  [[ "$actual" == "$expected" ]] ||
    fail "The download $archive does not match its published SHA-256 checksum (expected $expected, got $actual), so it was not installed. Re-run the job; if it fails again, report it at $repo/issues"
  mkdir -p "$work/unpacked" "$work/tool"
  if [[ "$archive" == *.zip ]]; then
    # cargo-dist's zips are flat: the binary at the top.
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$work/$archive" -d "$work/unpacked"
    else
      powershell -NoProfile -Command "Expand-Archive -LiteralPath '$(native_path "$work/$archive")' -DestinationPath '$(native_path "$work/unpacked")'"
    fi
    mv "$work/unpacked/staffroom$exe" "$work/tool/"
  else
    # cargo-dist's tarballs hold one folder named like the archive.
    tar -xJf "$work/$archive" -C "$work/unpacked"
    mv "$work/unpacked/staffroom-$target/staffroom" "$work/tool/"
  fi
}

install() {
  local start=$SECONDS
  if [[ -x "$dir/staffroom$exe" ]]; then
    echo "Using staffroom $version ($target) from the cache: $dir"
    put_on_path
    return
  fi
  # Global, not local: the EXIT trap runs after this function has returned.
  work="$(mktemp -d "$(unix_path "${RUNNER_TEMP:-${TMPDIR:-/tmp}}")/staffroom-install.XXXXXX")"
  # Whatever happens, nothing half-made is left behind; only a checked binary moves into
  # the tool folder.
  trap 'rm -rf "$work"' EXIT
  if [[ "$target" == none-* ]]; then
    from_source "There is no prebuilt staffroom binary for $os $arch" "$work"
  else
    from_release "$work"
  fi
  chmod +x "$work/tool/staffroom$exe"
  "$work/tool/staffroom$exe" --version >/dev/null ||
    fail "The staffroom binary for $target does not run on this runner. Nothing was installed."
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work/tool" "$dir"
  put_on_path
  echo "Installed staffroom $version ($target) in $((SECONDS - start))s: $dir"
}

run() {
  [[ -x "$dir/staffroom$exe" ]] || fail "staffroom is not installed in $dir; the install step must run first."
  # args is written by the workflow's author, like a line of shell ("build --root 'my site'"),
  # so it is split the way the shell would.
  local args
  eval "args=(${STAFFROOM_ARGS:-})"
  echo "Running: staffroom ${args[*]}"
  "$dir/staffroom$exe" "${args[@]}"
}

resolve
case "${1:-}" in
  plan)
    echo "staffroom $version for $target, tool folder $dir"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
      {
        echo "version=$version"
        echo "target=$target"
        echo "dir=$(native_path "$dir")"
      } >>"$GITHUB_OUTPUT"
    fi
    ;;
  install) install ;;
  run) run ;;
  *) fail "usage: install.sh plan|install|run" ;;
esac
