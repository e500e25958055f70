# Sourced by scripts/run and scripts/test (after _venv.sh): install and build every front end of the project.
# Each front end is an npm project at server/<area>/frontend/ with a committed package-lock.json and a
# `build` script that writes into that area's static folder (ignored by git). `npm ci` runs when the lock
# file changed since the last install; the build runs every time (it takes a second or two).
for frontend in server/*/frontend; do
  [ -f "$frontend/package.json" ] || continue
  lock_hash="$(sha256sum "$frontend/package-lock.json" | cut -d' ' -f1)"
  stamp="$frontend/node_modules/.farmpatrol-installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    if ! (cd "$frontend" && npm ci --no-audit --no-fund --loglevel=error > /dev/null); then
      echo "npm ci failed in $frontend" >&2
      exit 1
    fi
    echo "$lock_hash" > "$stamp"
  fi
  if ! (cd "$frontend" && npm run --silent build > /dev/null); then
    echo "front-end build failed in $frontend" >&2
    exit 1
  fi
done
