#!/usr/bin/env bash
# bench/token_latency.sh BIN_DIR [RUNS]
#
# What `tokentray-cli token` costs with an agent running, next to a bare process start: the
# median (and 90th percentile) wall time of RUNS starts (default 200) each of
#   - a C program that prints one line (the floor: fork, exec, dynamic loader, exit),
#   - tokentray-cli --config-dir D token X against a running agent (for now
#     tokentray-stub-agent, which answers every "cli" request with a fixed token),
#   - tokentray-cli-full --config-dir D version (the Qt CLI's start alone, for comparison),
#   - tokentray-cli with TOKENTRAY_NO_AGENT=1 ... version (front + exec of the Qt CLI).
# Times are taken by a small C harness (posix_spawn + waitpid, CLOCK_MONOTONIC) so the shell's
# own overhead is not measured. Needs cc. Prints figures; never fails on a figure.
set -euo pipefail

BIN=${1:?usage: token_latency.sh BIN_DIR [RUNS]}
RUNS=${2:-200}
WORK=$(mktemp -d)
AGENT_PID=
cleanup() {
  if [[ -n $AGENT_PID ]]; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("bench-token"); return 0; }
C
cat >"$WORK/runmedian.c" <<'C'
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
int main(int argc, char **argv)
{
    int runs = atoi(argv[1]);
    double *ms = calloc((size_t)runs, sizeof *ms);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < runs; ++i) {
        struct timespec t0, t1;
        pid_t pid;
        int status;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (posix_spawn(&pid, argv[2], &actions, NULL, argv + 2, environ) != 0) {
            perror("posix_spawn");
            return 1;
        }
        waitpid(pid, &status, 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s exited with %d\n", argv[2], WEXITSTATUS(status));
            return 1;
        }
        ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp);
    printf("%6.2f ms median  %6.2f ms p90", ms[runs / 2], ms[runs * 9 / 10]);
    return 0;
}
C
cc -O2 -o "$WORK/hello" "$WORK/hello.c"
cc -O2 -o "$WORK/runmedian" "$WORK/runmedian.c"

# A private runtime dir, as a desktop session has ($XDG_RUNTIME_DIR), and a config dir.
export XDG_RUNTIME_DIR="$WORK/runtime"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
CONF="$WORK/config"
mkdir -p "$CONF"
unset TOKENTRAY_NO_AGENT

"$BIN/tokentray-stub-agent" --config-dir "$CONF" --token bench-token >"$WORK/agent.out" \
  2>"$WORK/agent.err" &
AGENT_PID=$!
for _ in $(seq 100); do
  grep -q '^listening ' "$WORK/agent.out" 2>/dev/null && break
  sleep 0.05
done
if ! grep -q '^listening ' "$WORK/agent.out"; then
  echo "token_latency: the stub agent did not start:" >&2
  cat "$WORK/agent.err" >&2
  exit 1
fi
got=$("$BIN/tokentray-cli" --config-dir "$CONF" token X)
if [[ $got != bench-token ]]; then
  echo "token_latency: tokentray-cli did not get the token from the agent (got '$got')" >&2
  exit 1
fi

echo "tokentray-cli start-up, $RUNS runs each ($(uname -sr), $(nproc) CPUs):"
printf '  %-52s %s\n' "C program printing a line" "$("$WORK/runmedian" "$RUNS" "$WORK/hello")"
printf '  %-52s %s\n' "tokentray-cli token (agent answers)" \
  "$("$WORK/runmedian" "$RUNS" "$BIN/tokentray-cli" --config-dir "$CONF" token X)"
printf '  %-52s %s\n' "tokentray-cli-full version (Qt CLI start)" \
  "$("$WORK/runmedian" "$RUNS" "$BIN/tokentray-cli-full" --config-dir "$CONF" version)"
printf '  %-52s %s\n' "tokentray-cli version, TOKENTRAY_NO_AGENT=1 (exec)" \
  "$(TOKENTRAY_NO_AGENT=1 "$WORK/runmedian" "$RUNS" "$BIN/tokentray-cli" --config-dir "$CONF" version)"
