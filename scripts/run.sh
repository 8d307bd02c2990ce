#!/usr/bin/env bash
# Starts the mock environment on loopback: mockidp, then the API pointed at
# the mock's discovery document. Waits until both are ready, prints what to
# try next and stays in the foreground; Ctrl-C (SIGINT) or SIGTERM stops both.
#
#   make run                                   # mockidp on 8080, API on 8000
#   make run MOCKIDP_PORT=18080 API_PORT=18000 # other ports
#   MOCKIDP_PROJECT=my-project.yaml scripts/run.sh
#
# Settings (environment):
#   MOCKIDP_PORT     mockidp port (default 8080)
#   API_PORT         API port (default 8000)
#   MOCKIDP_PROJECT  project file (default: the one embedded in mockidp, fixtures/project.yaml)
#   BIN_DIR          folder holding the mockidp and api binaries (default bin)
#   LOG_DIR          where the two logs go (default $BIN_DIR/logs)
#   READY_TIMEOUT    seconds to wait for readiness (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."

MOCKIDP_PORT="${MOCKIDP_PORT:-8080}"
API_PORT="${API_PORT:-8000}"
MOCKIDP_PROJECT="${MOCKIDP_PROJECT:-}"
BIN_DIR="${BIN_DIR:-bin}"
LOG_DIR="${LOG_DIR:-$BIN_DIR/logs}"
READY_TIMEOUT="${READY_TIMEOUT:-20}"

die() { echo "run: $*" >&2; exit 1; }

for bin in mockidp api; do
  [[ -x "$BIN_DIR/$bin" ]] || die "$BIN_DIR/$bin is missing: run 'make build' (or 'make run', which builds first)"
done
for port in "$MOCKIDP_PORT" "$API_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "port '$port' is not a number between 1 and 65535"
done
[[ "$MOCKIDP_PORT" != "$API_PORT" ]] || die "MOCKIDP_PORT and API_PORT are both $API_PORT"

# port_in_use answers whether something already accepts connections on a loopback port.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port_near prints a port from $1 + 10000 upward (wrapping below 65536)
# that nothing listens on and that is not $2, or nothing after 50 tries.
free_port_near() {
  local p=$(($1 + 10000)) i
  for ((i = 0; i < 50; i++, p++)); do
    ((p < 65536)) || p=$((p - 64512))
    if ((p != $2)) && ! port_in_use "$p"; then
      echo "$p"
      return
    fi
  done
}
for pair in "MOCKIDP_PORT:$MOCKIDP_PORT:$API_PORT" "API_PORT:$API_PORT:$MOCKIDP_PORT"; do
  IFS=: read -r name port other <<<"$pair"
  if port_in_use "$port"; then
    hint="pick another port"
    alt="$(free_port_near "$port" "$other")"
    if [[ -n "$alt" ]]; then
      hint="pick another port (nothing listened on $alt a moment ago): make run $name=$alt"
    fi
    die "port $port ($name) is in use on 127.0.0.1. Stop whatever listens there (try: ss -ltnp 'sport = :$port'), or $hint"
  fi
done

if [[ -n "$MOCKIDP_PROJECT" ]]; then
  [[ -r "$MOCKIDP_PROJECT" ]] || die "MOCKIDP_PROJECT: cannot read '$MOCKIDP_PROJECT'"
fi
mock_url="http://127.0.0.1:$MOCKIDP_PORT"
# What the API must trust to accept every token this mock issues: the
# discovery document of the project's issuer_form, and the other issuers its
# tokens carry (access-key session tokens always carry the inbound-app
# issuer). The mock reads its own project file for this (mockidp api-env);
# the compose API and the suites' API trust only the discovery document.
api_env="$(MOCKIDP_PROJECT="$MOCKIDP_PROJECT" "$BIN_DIR/mockidp" api-env --url "$mock_url" 2>&1)" || die "$api_env"
project_id="" discovery_url="" extra_issuers=""
while IFS='=' read -r name value; do
  case "$name" in
    DESCOPE_PROJECT_ID) project_id="$value" ;;
    DISCOVERY_URL) discovery_url="$value" ;;
    EXTRA_ISSUERS) extra_issuers="$value" ;;
  esac
done <<<"$api_env"
[[ -n "$project_id" && -n "$discovery_url" ]] || die "mockidp api-env printed no project ID or discovery URL: $api_env"
# The project's clients ("ID SECRET" lines), for the commands printed below.
client_lines="$(MOCKIDP_PROJECT="$MOCKIDP_PROJECT" "$BIN_DIR/mockidp" clients 2>&1)" || die "$client_lines"
api_url="http://127.0.0.1:$API_PORT"
mkdir -p "$LOG_DIR"
mock_log="$LOG_DIR/mockidp.log"
api_log="$LOG_DIR/api.log"

mock_pid="" api_pid=""
stop() {
  trap - INT TERM EXIT
  local pids=()
  [[ -n "$api_pid" ]] && pids+=("$api_pid")
  [[ -n "$mock_pid" ]] && pids+=("$mock_pid")
  if ((${#pids[@]})); then
    echo
    echo "Stopping mockidp and the API..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    echo "Stopped."
  fi
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

MOCKIDP_ADDR="127.0.0.1:$MOCKIDP_PORT" MOCKIDP_PROJECT="$MOCKIDP_PROJECT" \
  "$BIN_DIR/mockidp" serve >"$mock_log" 2>&1 &
mock_pid=$!
echo "mockidp (pid $mock_pid) starting on $mock_url, log in $mock_log"

DESCOPE_PROJECT_ID="$project_id" \
DISCOVERY_URL="$discovery_url" EXTRA_ISSUERS="$extra_issuers" \
HOST=127.0.0.1 PORT="$API_PORT" \
  "$BIN_DIR/api" serve >"$api_log" 2>&1 &
api_pid=$!
echo "api (pid $api_pid) starting on $api_url, log in $api_log"

# wait_ready NAME PID LOG CMD...: polls CMD until it succeeds; fails when the
# process exits first or the timeout passes.
wait_ready() {
  local name="$1" pid="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local status=0
      wait "$pid" || status=$?
      # Exit status 0 means it shut down on a signal: a Ctrl-C reaches the
      # servers directly, sometimes before this script's own trap runs.
      ((status != 0)) || exit 0
      echo "run: $name exited (status $status) before it was ready; its log ($log) ends with:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "run: $name is not ready after ${READY_TIMEOUT}s; its log ($log) ends with:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
}
wait_ready mockidp "$mock_pid" "$mock_log" "$BIN_DIR/mockidp" healthcheck --url "$mock_url" --timeout 1s
wait_ready api "$api_pid" "$api_log" env HOST=127.0.0.1 PORT="$API_PORT" "$BIN_DIR/api" healthcheck ready

url_flag=""
[[ "$MOCKIDP_PORT" == 8080 ]] || url_flag=" --url $mock_url"
project_name="${MOCKIDP_PROJECT:-the embedded fixtures/project.yaml}"
first_client="" first_secret="" others=()
while read -r id secret; do
  [[ -n "$id" ]] || continue
  if [[ -z "$first_client" ]]; then
    first_client="$id" first_secret="$secret"
  else
    others+=("$id")
  fi
done <<<"$client_lines"

echo
echo "Ready: mockidp on $mock_url (project $project_id, from $project_name), the API on $api_url."
echo
if [[ -n "$first_client" ]]; then
  # Each line stops at a failed token request (&&; mockidp token exits 1
  # with the mock's answer), so no error body ever becomes $TOKEN.
  q_client="$(printf %q "$first_client")" q_secret="$(printf %q "$first_secret")"
  cat <<EOF
Get a token for $first_client and call the API (paste into a shell):

  \$ TOKEN=\$($BIN_DIR/mockidp token --client $q_client --secret $q_secret$url_flag) && curl -s -H "Authorization: Bearer \$TOKEN" $api_url/api/me
  \$ TOKEN=\$($BIN_DIR/mockidp token --client $q_client --secret $q_secret$url_flag) && curl -s -H "Authorization: Bearer \$TOKEN" $api_url/api/admin/users

The token request itself, with curl (prints the token response, or the mock's error and exits 22):

  \$ curl -sS --fail-with-body -u $q_client:$q_secret -d grant_type=client_credentials $mock_url/oauth2/v1/token

EOF
  if ((${#others[@]})); then
    echo "Other clients of the project: ${others[*]} (secrets in $project_name)."
  fi
else
  echo "The project has no clients: add one with POST $mock_url/_mock/clients (README.md, \"Control plane\")."
fi
cat <<EOF
API docs:      $api_url/docs
Control plane: $mock_url/_mock/keys (see README.md, "Control plane")
Logs:          tail -f $mock_log $api_log

Press Ctrl-C to stop both.
EOF

# Stay up until a signal arrives or either process ends on its own.
set +e
wait -n "$mock_pid" "$api_pid"
status=$?
set -e
((status != 0)) || exit 0 # a server shut down on a signal (see wait_ready)
echo "run: a server exited on its own (status $status); see $mock_log and $api_log" >&2
exit 1
