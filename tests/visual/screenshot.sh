#!/usr/bin/env bash
# Renders report pages (index.html, compare.html) with headless Chromium to PNG screenshots, so that a
# person can look at them as a browser shows them. Installs nothing; CI does not need it (the xunit tests
# check the pages' structure).
#
#   tests/visual/screenshot.sh PAGE.html [PAGE2.html ...]   -> PAGE.png next to each page
#   OUT=/tmp/shots tests/visual/screenshot.sh runs/r1/index.html compare.html
#
# WIDTH (default 1200) and HEIGHT (default 4000: the page's long sections) set the window size.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 PAGE.html [PAGE2.html ...]" >&2
    exit 2
fi

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [ -z "$browser" ]; then
    echo "error: headless Chromium is needed: apt-get install chromium" >&2
    exit 2
fi

width="${WIDTH:-1200}"
height="${HEIGHT:-4000}"
for page in "$@"; do
    if [ ! -f "$page" ]; then
        echo "error: $page: no such page" >&2
        exit 2
    fi
    full="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
    name="$(basename "$(dirname "$full")")-$(basename "$full" .html).png"
    shot="${OUT:-$(dirname "$full")}/$name"
    mkdir -p "$(dirname "$shot")"
    # A throwaway profile, no network: the page must render from itself alone.
    profile="$(mktemp -d)"
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
        --proxy-server="127.0.0.1:9" --window-size="$width,$height" --screenshot="$shot" "file://$full" >/dev/null 2>&1
    rm -rf "$profile"
    echo "$shot"
done
