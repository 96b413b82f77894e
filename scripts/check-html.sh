#!/usr/bin/env bash
# Validate a built staffroom site: HTML (Nu Html Checker) and accessibility (axe-core).
#
#   scripts/check-html.sh PUBLIC_DIR [PAGE...]
#
# 1. Every .html file under PUBLIC_DIR must pass the Nu Html Checker (vnu.jar) with no errors.
# 2. PUBLIC_DIR is served on 127.0.0.1 under the site's base path (read from the home page's
#    canonical link, so a site built for https://name.github.io/blog/ is served at /blog/),
#    and scripts/axe.js checks each PAGE (paths relative to the base path) in headless
#    Chromium, light and dark, desktop and phone: no WCAG 2.0/2.1 A or AA violation, no
#    third-party request, no <script>, no sideways scrolling.
#    Default pages: the home page, the first post and the tags page.
#
# Needs node/npm, java (17+), python3 and Chromium (/usr/bin/chromium, or set $CHROMIUM).
# The npm packages (versions pinned in scripts/package.json) are installed into
# scripts/node_modules on first use. Exit 0 when everything passes, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
public="$(cd "$1" && pwd)"
shift
if [[ ! -f "$public/index.html" ]]; then
  echo "check-html: $public/index.html not found; build the site first (staffroom build)" >&2
  exit 1
fi

# --- Tools -------------------------------------------------------------------
apt_install() { # apt_install PACKAGE: only where we may (root with apt-get), else explain.
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "check-html: installing $1 with apt-get" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "check-html: $1 is missing; install it (Debian/Ubuntu: sudo apt-get install $1)" >&2
    exit 1
  fi
}
command -v node >/dev/null || { echo "check-html: node and npm are needed" >&2; exit 1; }
command -v java >/dev/null || apt_install default-jre-headless
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_bin" ]] || apt_install chromium

if ! node -e '
  const want = require(process.argv[1]).dependencies;
  for (const [name, version] of Object.entries(want)) {
    if (require(process.argv[2] + "/" + name + "/package.json").version !== version) process.exit(1);
  }' "$here/package.json" "$here/node_modules" 2>/dev/null; then
  echo "check-html: installing vnu-jar, axe-core and playwright-core into scripts/node_modules" >&2
  # --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime.
  npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
vnu_jar="$here/node_modules/vnu-jar/build/dist/vnu.jar"

# --- 1. Nu Html Checker ------------------------------------------------------
status=0
count=$(find "$public" -name '*.html' | wc -l)
echo "== Nu Html Checker: $count HTML files in $public"
if find "$public" -name '*.html' -print0 | sort -z \
  | xargs -0 java -Xss16m -jar "$vnu_jar" --errors-only --skip-non-html; then
  echo "vnu: no errors"
else
  echo "vnu: errors found (see above)"
  status=1
fi

# --- 2. axe-core in Chromium -------------------------------------------------
# The base URL the site was built for and its path ("/" or "/blog/"), from the home
# page's canonical link.
site_url=$(python3 - "$public/index.html" <<'EOF'
import html, re, sys
from urllib.parse import urlparse
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', text)
url = urlparse(html.unescape(m.group(1)) if m else "http://localhost/")
path = url.path or "/"
path = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
print(f"{url.scheme}://{url.netloc}{path}")
EOF
)
base_path="/${site_url#*://*/}"

if [[ $# -eq 0 ]]; then
  pages=("/")
  first_post=$(find "$public/posts" -mindepth 2 -maxdepth 2 -name index.html 2>/dev/null | sort | head -n 1 || true)
  [[ -n "$first_post" ]] && pages+=("${first_post#"$public"}")
  [[ -f "$public/tags/index.html" ]] && pages+=("/tags/")
  pages=("${pages[@]/%index.html/}")
else
  pages=("$@")
fi

# Serve PUBLIC_DIR at $base_path: a temporary web root with a link at the base path.
root=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
if [[ "$base_path" == "/" ]]; then
  serve_dir="$public"
else
  mkdir -p "$root$(dirname "${base_path%/}")"
  ln -s "$public" "$root${base_path%/}"
  serve_dir="$root"
fi
port="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
# The interpreter itself, not a version manager's shim, so that $server_pid is the server.
python=$(python3 -c 'import sys; print(sys.executable)')
"$python" -m http.server "$port" --bind 127.0.0.1 --directory "$serve_dir" >"$root/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port$base_path"
for _ in $(seq 50); do
  curl -fsS -o /dev/null "$base" 2>/dev/null && break
  sleep 0.1
done

echo "== axe-core (WCAG 2.0/2.1 A and AA) on ${pages[*]} at $base"
SITE_URL="$site_url" CHROMIUM="$chromium_bin" node "$here/axe.js" "$base" "${pages[@]}" || status=1

if [[ $status -eq 0 ]]; then
  echo "check-html: all checks passed"
else
  echo "check-html: FAILED"
fi
exit $status
