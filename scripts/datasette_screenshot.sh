#!/usr/bin/env bash
# Remake the screenshots in docs/img/ (or OUT_DIR) from the browser tests: they crawl the
# simulator, serve the archive with `govpress serve`, drive Debian's headless Chromium through
# Playwright and save reading-document.png, reading-search.png, reading-coverage.png and
# reading-table.png.
# Needs: pip install -e '.[test]' and apt-get install chromium fonts-noto-cjk.
# Usage: scripts/datasette_screenshot.sh [OUT_DIR]   (default docs/img)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img}
mkdir -p "$out"
GOVPRESS_SCREENSHOTS="$out" python -m pytest -q -p no:cacheprovider -rs tests/test_reading_browser.py
ls -l "$out"/reading-*.png
# Optional: shrink them (apt-get install pngquant); the images stay sharp at 64-256 colours.
if command -v pngquant > /dev/null; then
  pngquant --force --skip-if-larger --ext .png --quality 60-90 "$out"/reading-*.png || true
  ls -l "$out"/reading-*.png
fi
