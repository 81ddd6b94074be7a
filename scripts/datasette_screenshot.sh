#!/usr/bin/env bash
# Check the archive in a real browser: crawl the simulator, serve the archive with
# `govpress serve`, open the search canned query in headless Chromium and save a screenshot.
# Needs: pip install -e '.[serve]' and Debian's chromium (apt-get install chromium).
# Usage: scripts/datasette_screenshot.sh [OUT.png]   (default docs/img/datasette-search.png)
set -euo pipefail
out=${1:-docs/img/datasette-search.png}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
govpress demo --archive "$work/govpress.sqlite" > /dev/null 2>&1
govpress serve --archive "$work/govpress.sqlite" --port 8765 > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:8765/ > /dev/null && break; sleep 0.2; done
base="http://127.0.0.1:8765/govpress/search"
query="q=%E8%90%A5%E5%95%86"   # 营商
url="$base?$query"
curl -fs "$base.json?$query&_shape=array" | python3 -c 'import json,sys; rows=json.load(sys.stdin); assert rows, "no hits"; print(len(rows), "hits for 营商")'
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chrome" --window-size=1280,900 --screenshot="$out" "$url" 2> /dev/null
echo "screenshot: $out"
