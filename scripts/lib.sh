# Shared by scripts/setup, scripts/test and scripts/demo: paths, the python with moto, prerequisite checks,
# and starting/stopping the moto harness by pid. Source it; it defines functions and variables only.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOTO_VERSION=5.2.1
HARNESS="$ROOT/Tests/Support/python/moto_harness.py"
FIXTURES="$ROOT/Tests/Support/python/fixtures.py"
export PYTHONDONTWRITEBYTECODE=1

# Extra `swift build`/`swift test` flags: PRIVGW_SCRATCH_PATH=DIR builds in DIR instead of .build.
SWIFT_FLAGS=()
if [ -n "${PRIVGW_SCRATCH_PATH:-}" ]; then SWIFT_FLAGS=(--scratch-path "$PRIVGW_SCRATCH_PATH"); fi

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when already root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The python that has moto: $PRIVGW_PYTHON, else the repo's .venv (made by scripts/setup when the system
# python refuses pip installs), else python3 from PATH. Exported so the Swift tests use the same one.
privgw_python() {
  if [ -n "${PRIVGW_PYTHON:-}" ]; then echo "$PRIVGW_PYTHON"
  elif [ -x "$ROOT/.venv/bin/python3" ]; then echo "$ROOT/.venv/bin/python3"
  else command -v python3 || echo python3
  fi
}

# Debian packages the build links against that are not installed.
missing_system_packages() {
  local pkg
  for pkg in libcurl4-openssl-dev libssl-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"
  done
}

has_moto() {
  "$(privgw_python)" - "$MOTO_VERSION" <<'PY' 2>/dev/null
import sys
import boto3, botocore, flask, flask_cors, moto  # noqa: F401  (moto[server] needs flask and flask_cors)
sys.exit(0 if moto.__version__ == sys.argv[1] else 1)
PY
}

# Fails with a hint when something scripts/setup installs is missing.
check_prerequisites() {
  command -v swift >/dev/null || die "swift is not on PATH (Swift 6.x toolchain needed)"
  local missing; missing=$(missing_system_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] || die "missing system packages: $missing- run scripts/setup"
  has_moto || die "python $(privgw_python) lacks moto[server]==$MOTO_VERSION - run scripts/setup"
  export PRIVGW_PYTHON; PRIVGW_PYTHON=$(privgw_python)
}

# start_harness DIR [harness flags...]: starts the moto harness on a free 127.0.0.1 port, its log in
# DIR/moto.log, and sets MOTO_PID, MOTO_PORT, MOTO_ENDPOINT, MOTO_KEY, MOTO_SECRET, MOTO_REGION.
# The harness also exits by itself when this shell goes away. Pair with stop_harness (e.g. in a trap).
start_harness() {
  local dir=$1; shift
  local ready="$dir/moto.ready"
  rm -f "$ready"  # a stale file from an earlier start would be read as this one's ready line
  "$(privgw_python)" "$HARNESS" --exit-with-parent "$@" >"$ready" 2>"$dir/moto.log" &
  MOTO_PID=$!
  local i
  for i in $(seq 1 300); do
    [ -s "$ready" ] && break
    kill -0 "$MOTO_PID" 2>/dev/null || { cat "$dir/moto.log" >&2; die "moto harness exited during start-up"; }
    sleep 0.2
  done
  [ -s "$ready" ] || { stop_harness; die "moto harness did not start within 60 s (log: $dir/moto.log)"; }
  eval "$("$(privgw_python)" - "$ready" <<'PY'
import json, shlex, sys
r = json.load(open(sys.argv[1]))
for var, key in [("MOTO_PORT", "port"), ("MOTO_KEY", "accessKeyId"), ("MOTO_SECRET", "secretAccessKey"), ("MOTO_REGION", "region")]:
    print(f"{var}={shlex.quote(str(r[key]))}")
PY
)"
  MOTO_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
}

# Stops the harness started by start_harness, by its pid; waits up to 10 s, then SIGKILL.
stop_harness() {
  [ -n "${MOTO_PID:-}" ] || return 0
  if kill -0 "$MOTO_PID" 2>/dev/null; then
    kill -TERM "$MOTO_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$MOTO_PID" 2>/dev/null && kill -KILL "$MOTO_PID" 2>/dev/null
  fi
  wait "$MOTO_PID" 2>/dev/null || true
  MOTO_PID=
}
