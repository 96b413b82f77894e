#!/usr/bin/env bash
# Installs Debian's Chromium and chromedriver for the browser tests (tests/browser.rs)
# and the HTML checks. Does nothing when both are already there, so CI can call it
# on every run.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
/usr/bin/chromium --version
