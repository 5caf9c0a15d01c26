#!/usr/bin/env bash
# bench/aws_credential_process.sh BIN_DIR [RUNS]
#
# What TokenTray adds to an AWS tool's start: `aws configure export-credentials` through
# credential_process = tokentray-cli credential-process, against the same command through a stub
# script that prints fixed JSON, interleaved in one run (median of RUNS each, default 30). Also
# times the two credential processes on their own. Needs a Secret Service (run it inside
# scripts/desktop-session; scripts/bench does) and Debian's awscli at /usr/bin/aws.
# Prints figures; never fails on a figure.
set -euo pipefail

BIN=${1:?usage: aws_credential_process.sh BIN_DIR [RUNS]}
RUNS=${2:-30}
AWS=/usr/bin/aws
if [[ ! -x $AWS ]]; then
  echo "aws_credential_process: $AWS is missing (Debian package awscli); skipped"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CLI="$BIN/tokentray-cli"
CONF="$WORK/tokentray"
export HOME="$WORK/home" AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials" \
  AWS_CONFIG_FILE="$WORK/config" AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"
: >"$AWS_SHARED_CREDENTIALS_FILE"

# A long-term key pair in the keychain: the path every credential_process call takes once a
# role's credentials are cached (the same keychain read, the same JSON).
"$CLI" --config-dir "$CONF" profile add bench-keys --kind aws-access-key >/dev/null
"$CLI" --config-dir "$CONF" environment add bench-keys default --region eu-west-1 >/dev/null
printf 'AKIABENCHMARK0000001' | "$CLI" --config-dir "$CONF" secret set bench-keys default aws_access_key_id
printf 'benchmark/secret/key/0000000000000000000' |
  "$CLI" --config-dir "$CONF" secret set bench-keys default aws_secret_access_key

cat >"$WORK/stub" <<'STUB'
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "AKIABENCHMARK0000001", "SecretAccessKey": "benchmark/secret/key/0000000000000000000"}\n'
STUB
chmod +x "$WORK/stub"

cat >"$AWS_CONFIG_FILE" <<CONFIG
[profile tokentray]
credential_process = $CLI --config-dir $CONF credential-process bench-keys
region = eu-west-1

[profile stub]
credential_process = $WORK/stub
region = eu-west-1
CONFIG

# The two must agree before they are compared.
tt=$("$AWS" configure export-credentials --profile tokentray --format env-no-export)
st=$("$AWS" configure export-credentials --profile stub --format env-no-export)
if [[ "$tt" != "$st" ]]; then
  echo "aws_credential_process: the two profiles print different credentials" >&2
  exit 1
fi

now_ns() { date +%s%N; }
median_ms() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.1f", m/1e6}'; }

# One round: the two aws invocations and the two credential processes, interleaved.
measure() {
  local label=$1
  local -a t_aws_tt=() t_aws_stub=() t_tt=() t_stub=()
  for ((i = 0; i < RUNS + 2; i++)); do
    a=$(now_ns); "$AWS" configure export-credentials --profile tokentray >/dev/null; b=$(now_ns)
    "$AWS" configure export-credentials --profile stub >/dev/null; c=$(now_ns)
    "$CLI" --config-dir "$CONF" credential-process bench-keys >/dev/null; d=$(now_ns)
    "$WORK/stub" >/dev/null; e=$(now_ns)
    ((i < 2)) && continue # warm-up
    t_aws_tt+=($((b - a))); t_aws_stub+=($((c - b))); t_tt+=($((d - c))); t_stub+=($((e - d)))
  done
  local m_tt m_stub
  m_tt=$(median_ms "${t_aws_tt[@]}")
  m_stub=$(median_ms "${t_aws_stub[@]}")
  echo "$label: aws configure export-credentials, median of $RUNS:"
  echo "  credential_process = tokentray-cli credential-process  $m_tt ms"
  echo "  credential_process = stub printing fixed JSON          $m_stub ms"
  awk -v a="$m_tt" -v b="$m_stub" 'BEGIN {printf "  ratio %.3f (goal <= 1.05)\n", a / b}'
  echo "  the credential processes alone: tokentray-cli $(median_ms "${t_tt[@]}") ms, stub $(median_ms "${t_stub[@]}") ms"
}

measure "without an agent (tokentray-cli reads the keychain itself)"

# With the tray app's agent running (here headless), tokentray-cli forwards to it.
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
"$BIN/tokentray" --no-tray --config-dir "$CONF" 2>"$WORK/agent.log" &
AGENT=$!
trap 'kill $AGENT 2>/dev/null; rm -rf "$WORK"' EXIT
for ((i = 0; i < 100; i++)); do
  grep -q 'listening on' "$WORK/agent.log" 2>/dev/null && break
  sleep 0.05
done
"$CLI" --config-dir "$CONF" credential-process bench-keys >/dev/null
measure "with a running agent (tokentray --no-tray)"
