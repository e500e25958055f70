# Sourced by scripts/test: the browser tests drive Debian's Chromium through Playwright (never a downloaded
# browser build). Install it with apt where it is missing; root is needed for that, as on CI.
if [ ! -x /usr/bin/chromium ]; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }; then
    echo "could not install Debian's chromium (needed by the browser tests)" >&2
    exit 1
  fi
fi
