#!/usr/bin/env bash
# bench/token_latency.sh BIN_DIR [RUNS]
#
# "A token in about a millisecond": what `tokentray-cli token` costs with a real agent that has
# the token cached, next to a bare process start and next to oidc-agent's oidc-token. Prints
# the median and 90th percentile wall time of RUNS starts (default 200) each of
#   a) a C program that prints one line (the floor: fork, exec, dynamic loader, exit);
#   b) tokentray-cli --config-dir D token bench, answered by a running
#      `tokentray --no-tray --config-dir D` agent holding a cached client_credentials token
#      from tokentray-test-authority (timed: a copy of tokentray-cli with no tokentray-cli-full
#      beside it, so a run that did not reach the agent fails instead of falling back);
#   c) oidc-token bench, answered by a running oidc-agent holding a cached access token from
#      the same authority (account made non-interactively by oidc-gen from a refresh token
#      the authority issued through its device flow); skipped, with the reason, when oidc-agent
#      is not installed or cannot be set up;
#   d) for reference, without an agent: tokentray-cli-full --config-dir D token bench, and
#      tokentray-cli with TOKENTRAY_NO_AGENT=1 (the front execs tokentray-cli-full);
# then one comparison line (goals: TokenTray <= oidc-token, and within 1 ms of the bare start).
#
# Needs cc, python3 (for (c)'s set-up only) and an unlocked Secret Service for the client
# secret: run it inside scripts/desktop-session (scripts/bench does). Times are taken by a
# small C harness (posix_spawn + waitpid, CLOCK_MONOTONIC, 5 untimed runs first) so the shell's
# own overhead is not measured. It also checks with the authority that no timed run of (a)-(c)
# fetched a token. Everything runs with a private XDG_RUNTIME_DIR and temporary
# config dirs, and every process started here is stopped on exit. Fails only when (a) or (b)
# cannot be measured; never on a figure.
set -euo pipefail

BIN=${1:?usage: token_latency.sh BIN_DIR [RUNS]}
RUNS=${2:-200}
BIN=$(cd "$BIN" && pwd)
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
  echo "token_latency: RUNS must be a positive number, not '$RUNS'" >&2
  exit 2
fi
for exe in tokentray tokentray-cli tokentray-cli-full tokentray-test-authority; do
  if [[ ! -x $BIN/$exe ]]; then
    echo "token_latency: $BIN/$exe is missing: build first (scripts/build --release)" >&2
    exit 1
  fi
done
command -v cc >/dev/null || { echo "token_latency: needs cc" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/token-latency.XXXXXX")
AUTH_PID='' AGENT_PID='' SHIM_PID='' OIDCD_PID='' SECRET_SET=0
CONF=$WORK/config
log() { printf 'token_latency: %s\n' "$*" >&2; }

# Children of a pid (oidc-agent forks its worker), read from /proc so no extra tool is needed.
child_pids() {
  local stat rest d
  for stat in /proc/[0-9]*/stat; do
    { read -r rest <"$stat"; } 2>/dev/null || continue
    rest=${rest##*) }  # after "pid (comm) ": "S ppid ..."
    rest=${rest#* }
    [[ ${rest%% *} == "$1" ]] && { d=${stat%/stat}; echo "${d#/proc/}"; }
  done
  return 0
}
stop_pid() {  # stop_pid PID [wait]: TERM, up to ~2 s, then KILL; reap it if it is our child
  local pid=$1 own=${2:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 40); do
    kill -0 "$pid" 2>/dev/null || break
    # a zombie of ours is gone as far as we care; wait reaps it below
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  if [[ -n $own ]]; then wait "$pid" 2>/dev/null || true; fi
}
cleanup() {
  local kids
  if [[ -n $OIDCD_PID ]]; then  # daemonized: not our child, so stop its worker too
    kids=$(child_pids "$OIDCD_PID")
    stop_pid "$OIDCD_PID"
    for k in $kids; do stop_pid "$k"; done
  fi
  stop_pid "$SHIM_PID" own
  stop_pid "$AGENT_PID" own
  stop_pid "$AUTH_PID" own
  if ((SECRET_SET)); then  # the keychain outlives us; the config dir does not
    TOKENTRAY_NO_AGENT=1 "$BIN/tokentray-cli" --config-dir "$CONF" secret delete bench DEV \
      client_secret >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the harness -----------------------------------------------------------------------------
cat >"$WORK/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("bench-token"); return 0; }
C
cat >"$WORK/runmedian.c" <<'C'
/* runmedian RUNS PROGRAM [ARGS...]: prints "MEDIAN_MS P90_MS" of RUNS timed starts. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double once(char **argv, posix_spawn_file_actions_t *actions)
{
    struct timespec t0, t1;
    pid_t pid;
    int status;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (posix_spawn(&pid, argv[0], actions, NULL, argv, environ) != 0) {
        perror(argv[0]);
        exit(1);
    }
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s failed (status %d)\n", argv[0], status);
        exit(1);
    }
    return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}
int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int runs = atoi(argv[1]);
    double *ms = calloc((size_t)runs, sizeof *ms);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < 5; ++i)
        once(argv + 2, &actions);
    for (int i = 0; i < runs; ++i)
        ms[i] = once(argv + 2, &actions);
    qsort(ms, (size_t)runs, sizeof *ms, cmp);
    printf("%.2f %.2f\n", ms[runs / 2], ms[runs * 9 / 10]);
    return 0;
}
C
cc -O2 -o "$WORK/hello" "$WORK/hello.c"
cc -O2 -o "$WORK/runmedian" "$WORK/runmedian.c"

declare -A MEDIAN=()
measure() {  # measure KEY LABEL PROGRAM [ARGS...]: one result line; a failure is printed, not fatal
  local key=$1 label=$2 out
  shift 2
  if out=$("$WORK/runmedian" "$RUNS" "$@" 2>"$WORK/measure.err"); then
    MEDIAN[$key]=${out%% *}
    printf '  %-56s %7s ms median %7s ms p90\n' "$label" "${out%% *}" "${out##* }"
  else
    printf '  %-56s not measured: %s\n' "$label" "$(tail -n1 "$WORK/measure.err")"
  fi
}

# A private runtime dir, as a desktop session has, and private config dirs.
export XDG_RUNTIME_DIR=$WORK/runtime
mkdir -m 0700 "$XDG_RUNTIME_DIR"
mkdir -p "$CONF"
unset TOKENTRAY_NO_AGENT TOKENTRAY_CONFIG_DIR

wait_for_line() {  # wait_for_line FILE PATTERN PID WHAT: until FILE has a line matching PATTERN
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
  done
  grep -q "$2" "$1" 2>/dev/null && return 0
  log "$4 did not start:"
  cat "${1%.*}.err" >&2 2>/dev/null || true
  return 1
}

# ---- the authority -----------------------------------------------------------------------------
# --no-rotation: oidc-agent's refresh token stays valid; --auto-approve-after 0: the device flow
# that gives oidc-agent its refresh token needs nobody to approve it.
"$BIN/tokentray-test-authority" --no-rotation --auto-approve-after 0 >"$WORK/authority.out" \
  2>"$WORK/authority.err" &
AUTH_PID=$!
wait_for_line "$WORK/authority.out" '^http' "$AUTH_PID" "tokentray-test-authority" || exit 1
ISSUER=$(head -n1 "$WORK/authority.out")

# ---- b) TokenTray: a client_credentials profile and a headless agent --------------------------
tt() { TOKENTRAY_NO_AGENT=1 "$BIN/tokentray-cli" --config-dir "$CONF" "$@"; }
if ! tt profile add bench --kind oauth2 >/dev/null 2>"$WORK/cli.err" \
   || ! tt environment add bench DEV --issuer "$ISSUER" --client-id demo-client \
          --scope "read write" >/dev/null 2>"$WORK/cli.err"; then
  log "could not add the oauth2 profile:"
  cat "$WORK/cli.err" >&2
  exit 1
fi
if ! printf 'demo-secret\n' | tt secret set bench DEV client_secret >/dev/null 2>"$WORK/cli.err"; then
  log "could not store the client secret in the keychain (run inside scripts/desktop-session):"
  cat "$WORK/cli.err" >&2
  exit 1
fi
SECRET_SET=1

"$BIN/tokentray" --no-tray --config-dir "$CONF" >"$WORK/agent.out" 2>"$WORK/agent.err" &
AGENT_PID=$!
wait_for_line "$WORK/agent.err" ' listening on ' "$AGENT_PID" "tokentray --no-tray" || exit 1

# The front alone, with no tokentray-cli-full beside it: if it ever fell back instead of asking
# the agent it would fail, so every timed run below is known to be answered by the agent.
mkdir "$WORK/front"
cp "$BIN/tokentray-cli" "$WORK/front/tokentray-cli"
FRONT=$WORK/front/tokentray-cli
if ! tokentray_token=$("$FRONT" --config-dir "$CONF" token bench 2>"$WORK/cli.err"); then
  log "the agent did not answer tokentray-cli token (warm-up):"
  cat "$WORK/cli.err" "$WORK/agent.err" >&2
  exit 1
fi
if [[ $tokentray_token != at-* ]] \
   || [[ $("$FRONT" --config-dir "$CONF" token bench) != "$tokentray_token" ]]; then
  log "tokentray-cli token gave '$tokentray_token', then something else: the token is not cached"
  exit 1
fi

# ---- c) oidc-agent -----------------------------------------------------------------------------
# oidc-agent reads the provider's discovery document and insists on scopes_supported, which
# tokentray-test-authority's does not list: a tiny shim serves a copy with it added (issuer =
# the shim; every endpoint stays the authority's). It also does the device flow for the refresh
# token. Only the set-up uses it; the timed oidc-token runs talk to oidc-agent alone.
OIDC_SKIP=''
oidc_setup() {
  local tool
  for tool in oidc-agent oidc-gen oidc-token; do
    command -v "$tool" >/dev/null \
      || { OIDC_SKIP="$tool is not installed (Debian package oidc-agent-cli; scripts/setup)"; return 1; }
  done
  command -v python3 >/dev/null || { OIDC_SKIP="python3 (for the set-up shim) is not installed"; return 1; }
  cat >"$WORK/shim.py" <<'PY'
import http.server, json, sys, urllib.parse, urllib.request
up = sys.argv[1]
def post(path, **form):
    data = urllib.parse.urlencode(dict(form, client_id="demo-client", client_secret="demo-secret"))
    return json.load(urllib.request.urlopen(up + path, data.encode()))
code = post("/device")["device_code"]
refresh = post("/token", grant_type="urn:ietf:params:oauth:grant-type:device_code",
               device_code=code)["refresh_token"]
class Discovery(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/.well-known/openid-configuration":
            self.send_error(404)
            return
        doc = json.load(urllib.request.urlopen(up + "/.well-known/openid-configuration"))
        doc["issuer"] = "http://127.0.0.1:%d" % self.server.server_port
        doc.setdefault("scopes_supported", ["openid", "offline_access"])
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Discovery)
print("http://127.0.0.1:%d" % server.server_port)
print(refresh, flush=True)
server.serve_forever()
PY
  python3 "$WORK/shim.py" "$ISSUER" >"$WORK/shim.out" 2>"$WORK/shim.err" &
  SHIM_PID=$!
  for _ in $(seq 200); do
    (($(wc -l <"$WORK/shim.out") >= 2)) && break
    kill -0 "$SHIM_PID" 2>/dev/null || break
    sleep 0.05
  done
  if (($(wc -l <"$WORK/shim.out") < 2)); then
    OIDC_SKIP="the discovery shim / device flow failed: $(tail -n1 "$WORK/shim.err")"
    return 1
  fi
  local shim_issuer
  shim_issuer=$(sed -n 1p "$WORK/shim.out")
  export OIDC_REFRESH_TOKEN
  OIDC_REFRESH_TOKEN=$(sed -n 2p "$WORK/shim.out")

  export OIDC_CONFIG_DIR=$WORK/oidc-config
  mkdir -m 0700 "$OIDC_CONFIG_DIR"
  local env_lines
  if ! env_lines=$(oidc-agent --quiet --no-autoload -a "$XDG_RUNTIME_DIR/oidc-agent.sock" \
                     2>"$WORK/oidc-agent.err"); then
    OIDC_SKIP="oidc-agent did not start: $(tail -n1 "$WORK/oidc-agent.err")"
    return 1
  fi
  eval "$env_lines"  # OIDC_SOCK=...; export OIDC_SOCK; OIDCD_PID=...; export OIDCD_PID;
  if [[ -z ${OIDC_SOCK:-} || -z $OIDCD_PID ]]; then
    OIDC_SKIP="oidc-agent printed no OIDC_SOCK/OIDCD_PID: $env_lines"
    return 1
  fi
  if ! timeout 60 oidc-gen bench --manual --no-save --issuer="$shim_issuer" \
         --client-id=demo-client --client-secret=demo-secret --rt-env=OIDC_REFRESH_TOKEN \
         --scope=openid --pw-cmd='echo bench-pw' --no-url-call --confirm-default --prompt=none \
         </dev/null >"$WORK/oidc-gen.out" 2>&1; then
    OIDC_SKIP="oidc-gen could not create the account: $(tr '\n' ' ' <"$WORK/oidc-gen.out" | sed 's/ *$//')"
    return 1
  fi
  unset OIDC_REFRESH_TOKEN
  local first second
  if ! first=$(oidc-token bench 2>"$WORK/oidc-token.err") \
     || ! second=$(oidc-token bench 2>>"$WORK/oidc-token.err"); then
    OIDC_SKIP="oidc-token failed: $(tr '\n' ' ' <"$WORK/oidc-token.err")"
    return 1
  fi
  if [[ $first != at-* || $second != "$first" ]]; then
    OIDC_SKIP="oidc-token gave '$first' then '$second': not a cached token from the authority"
    return 1
  fi
}
oidc_setup || true

token_requests() {  # how many token requests the authority has served so far (empty: unknown)
  { python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1] + "/stats").read().decode())' "$ISSUER" 2>/dev/null \
      || true; } | sed -n 's/.*"token_requests":\([0-9]*\).*/\1/p'
}
requests_before=$(token_requests)

# ---- the runs ----------------------------------------------------------------------------------
echo "token latency, $RUNS runs each ($(uname -sr), $(nproc) CPUs; median and 90th percentile):"
measure bare "a) C program printing a line" "$WORK/hello"
measure tokentray "b) tokentray-cli token (tokentray --no-tray agent)" \
  "$FRONT" --config-dir "$CONF" token bench
if [[ -z $OIDC_SKIP ]]; then
  measure oidc "c) oidc-token (oidc-agent $(oidc-agent --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n1))" \
    "$(command -v oidc-token)" bench
else
  printf '  %-56s skipped: %s\n' "c) oidc-token (oidc-agent)" "$OIDC_SKIP"
fi
requests_after=$(token_requests)
if [[ -n $requests_before && -n $requests_after ]]; then
  served=$((requests_after - requests_before))
  if ((served == 0)); then
    echo "  (the authority served no token request during a-c: every token came from a cache)"
  else
    echo "  (WARNING: the authority served $served token requests during a-c: not all cached)"
  fi
fi
requests_before=$requests_after
measure full "d) tokentray-cli-full token (Qt CLI, no agent)" \
  "$BIN/tokentray-cli-full" --config-dir "$CONF" token bench
TOKENTRAY_NO_AGENT=1 measure noagent "d) tokentray-cli token, TOKENTRAY_NO_AGENT=1 (exec full)" \
  "$BIN/tokentray-cli" --config-dir "$CONF" token bench
requests_after=$(token_requests)
if [[ -n $requests_before && -n $requests_after ]]; then
  echo "  (the authority served $((requests_after - requests_before)) token request(s) during d: the Qt CLI caches too)"
fi

# ---- the verdict -------------------------------------------------------------------------------
if [[ -n ${MEDIAN[tokentray]:-} && -n ${MEDIAN[bare]:-} ]]; then
  awk -v t="${MEDIAN[tokentray]}" -v b="${MEDIAN[bare]}" -v o="${MEDIAN[oidc]:-}" '
    BEGIN {
      if (o != "")
        vs = sprintf("oidc-token median %.2f ms (%s)", o, t <= o ? "goal <= oidc-token: met" : "goal <= oidc-token: NOT met")
      else
        vs = "oidc-token not measured"
      d = t - b
      printf "comparison: TokenTray median %.2f ms vs %s; TokenTray - bare = %.2f ms (%s)\n",
        t, vs, d, d <= 1.0 ? "goal <= 1 ms: met" : "goal <= 1 ms: NOT met"
    }'
else
  echo "comparison: not available (a or b was not measured)"
  exit 1
fi
