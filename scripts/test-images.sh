#!/usr/bin/env bash
# make test-images: builds both images from the unchanged Dockerfiles, checks
# them, and runs the compose stack for real: make up, a token through both
# published ports, make compose-test, make compose-live without credentials,
# make down leaving nothing behind. .ci/run runs it; it is slow (a cold build
# compiles the module twice), so make test does not.
#
# The engine is Docker when its daemon answers, else podman (DOCKER=docker or
# DOCKER=podman to choose). With podman, docker-compose talks to podman's
# Docker-compatible API on a socket of this run's own, and this script also
# does what a machine without systemd lacks (see "podman" below). Where a base
# image the Dockerfiles name cannot be pulled (no registry reachable), a local
# stand-in is built under its name (see "Base images").
#
# Settings (environment):
#   DOCKER          docker or podman (default: found as above)
#   COMPOSE         the compose command (default docker-compose)
#   VERSION         the images' version tag and label (default git describe)
#   MAX_IMAGE_BYTES the largest image allowed (default 25000000, 25 MB)
#   INSTALL         0 to install nothing with apt (default 1: install what is missing)
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE="${COMPOSE:-docker-compose}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
MAX_IMAGE_BYTES="${MAX_IMAGE_BYTES:-25000000}"
INSTALL="${INSTALL:-1}"
# The compose project: a name of this script's own, so that a stack a user
# started by hand from this folder is neither reused nor taken down.
export COMPOSE_PROJECT_NAME="harness-test-images"
# docker-compose gives up on a container stream that stays silent for
# COMPOSE_HTTP_TIMEOUT (60 s by default) with a traceback and exit 1; the
# suites and live containers compile for longer than that on a loaded
# machine before they print anything.
export COMPOSE_HTTP_TIMEOUT="${COMPOSE_HTTP_TIMEOUT:-600}"
# Test values from docker-compose.yml (not secrets).
ADMIN_TOKEN="harness-admin-token"
PROJECT_ID="P2MockDescopeHarness00000001"

log() { printf 'test-images: %s\n' "$*"; }
die() { printf 'test-images: FAIL: %s\n' "$*" >&2; exit 1; }

work="$(mktemp -d)"
started=()        # pids of the processes this script started
check_containers=() # containers of the image checks
cleanup() {
  local status=$?
  set +e
  for c in "${check_containers[@]}"; do "$DOCKER" rm -f "$c" >/dev/null 2>&1; done
  if [[ -n "${DOCKER_HOST:-}" || "${DOCKER:-}" == docker ]]; then
    "$COMPOSE" --profile test --profile live down --remove-orphans --volumes >/dev/null 2>&1
  fi
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
  if ((status != 0)); then log "failed (exit $status); containers, networks and the API socket are cleaned up"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Tools ------------------------------------------------------------------

docker_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

# install_missing installs Debian packages whose command is missing:
# install_missing COMMAND:PACKAGE...
install_missing() {
  local want=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [[ -e "${pair%%:*}" ]] || want+=("${pair#*:}")
  done
  ((${#want[@]})) || return 0
  [[ "$INSTALL" == 1 ]] || die "missing ${want[*]} (INSTALL=0: not installing)"
  command -v apt-get >/dev/null 2>&1 || die "missing ${want[*]} and no apt-get to install them"
  local sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  log "installing ${want[*]}"
  $sudo apt-get update -qq || log "warning: apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

if [[ -z "${DOCKER:-}" ]]; then
  if docker_answers; then DOCKER=docker; else DOCKER=podman; fi
fi
case "$DOCKER" in
  docker) docker_answers || die "DOCKER=docker but the Docker daemon does not answer" ;;
  podman)
    # runc: crun refuses this kind of machine's hybrid cgroups. netavark,
    # aardvark-dns and iptables: the compose network with service names
    # resolving, and the builds' network (the Go module proxy).
    install_missing podman:podman runc:runc /usr/lib/podman/netavark:netavark \
      /usr/lib/podman/aardvark-dns:aardvark-dns iptables:iptables ;;
  *) die "DOCKER=$DOCKER: want docker or podman" ;;
esac
install_missing "$COMPOSE":docker-compose busybox:busybox-static curl:curl \
  /etc/ssl/certs/ca-certificates.crt:ca-certificates
export DOCKER

# --- podman -------------------------------------------------------------------
# What podman needs on a machine without systemd, in a containers.conf of this
# run's own (CONTAINERS_CONF: every other containers.conf is ignored):
# - runc, not crun (above);
# - no default ulimits: podman's default raises nofile, which a container on
#   this kind of machine may not do;
# - cgroupfs and a file event log instead of systemd's;
# - netavark, whose bridge network gives builds and containers the network.
# Health checks: podman schedules them with systemd timers, so without
# systemd no check ever runs and depends_on: service_healthy waits forever;
# run_healthchecks runs them every second for this script's containers.
# docker-compose talks to `podman system service` on a socket in $work.
# It never stops on an error (set +e): a container that goes away while it
# is listed makes podman ps or healthcheck run fail, and a loop that stopped
# there would leave every later container "starting" for good.
run_healthchecks() {
  set +e
  while sleep 1; do
    podman ps --format '{{.ID}} {{.Image}}' 2>/dev/null | while read -r id image; do
      # </dev/null: a command reading stdin here eats the rest of the list.
      if [[ "$image" == *descope-harness/* ]]; then podman healthcheck run "$id" </dev/null >/dev/null 2>&1; fi
    done
  done
}

if [[ "$DOCKER" == podman ]]; then
  cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
  export CONTAINERS_CONF="$work/containers.conf"
  podman system service --time=0 "unix://$work/podman.sock" 2>"$work/podman-service.log" &
  started+=($!)
  export DOCKER_HOST="unix://$work/podman.sock"
  for _ in $(seq 100); do [[ -S "$work/podman.sock" ]] && break; sleep 0.1; done
  [[ -S "$work/podman.sock" ]] || die "podman system service did not open its socket: $(cat "$work/podman-service.log")"
  run_healthchecks &
  started+=($!)
fi
log "engine: $DOCKER ($("$DOCKER" --version)); compose: $("$COMPOSE" --version)"

# --- Base images --------------------------------------------------------------
# The real ones when they are here or can be pulled; otherwise stand-ins
# built under their names:
# - builder (golang:GO_VERSION): this machine's Go toolchain, a static busybox
#   for RUN's /bin/sh, the CA bundle, GOPATH=/go and GOTOOLCHAIN=local as in
#   the real image;
# - runtime (distroless static nonroot): the CA bundle, /etc/passwd and
#   /etc/group with nonroot (65532), /tmp. Not distroless: no tzdata, no
#   /etc/os-release; the binaries need neither.

go_version="$(sed -n 's/^ARG GO_VERSION=//p' Dockerfile.mockidp)"
builder="docker.io/library/golang:$go_version"
runtime="gcr.io/distroless/static-debian12:nonroot"
stand_in_label="org.descope-harness.stand-in"

# have_or_pull IMAGE succeeds when IMAGE is here or could be pulled.
have_or_pull() {
  "$DOCKER" image inspect "$1" >/dev/null 2>&1 && return 0
  log "pulling $1"
  timeout 120 "$DOCKER" pull -q "$1" >/dev/null 2>&1
}

build_builder_stand_in() {
  local goroot ctx="$work/builder"
  goroot="$(go env GOROOT)"
  [[ "$(go env GOVERSION)" == "go$go_version"* ]] || die "no $builder to pull, and this machine's Go is $(go env GOVERSION)"
  log "building a stand-in for $builder from $goroot ($(go env GOVERSION)) and a static busybox"
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/usr/local" "$ctx/rootfs/etc/ssl/certs" "$ctx/rootfs/tmp" "$ctx/rootfs/go"
  cp -a "$goroot" "$ctx/rootfs/usr/local/go"
  cp "$(command -v busybox)" "$ctx/rootfs/bin/busybox"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
  chmod 1777 "$ctx/rootfs/tmp"
  cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOPATH=/go GOTOOLCHAIN=local
WORKDIR /go
LABEL $stand_in_label="local stand-in for $builder: $(go env GOVERSION) and busybox"
EOF
  "$DOCKER" build -q -t "$builder" "$ctx" >/dev/null
}

build_runtime_stand_in() {
  local ctx="$work/runtime"
  log "building a stand-in for $runtime"
  mkdir -p "$ctx/rootfs/etc/ssl/certs" "$ctx/rootfs/tmp" "$ctx/rootfs/home/nonroot"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$ctx/rootfs/etc/group"
  chmod 1777 "$ctx/rootfs/tmp"
  chown 65532:65532 "$ctx/rootfs/home/nonroot" 2>/dev/null || true
  cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
USER 65532:65532
WORKDIR /home/nonroot
LABEL $stand_in_label="local stand-in for $runtime: CA bundle, nonroot user, /tmp"
EOF
  "$DOCKER" build -q -t "$runtime" "$ctx" >/dev/null
}

# A stand-in of another Go than this machine's is rebuilt.
if "$DOCKER" image inspect "$builder" >/dev/null 2>&1 &&
  label="$("$DOCKER" image inspect --format "{{index .Config.Labels \"$stand_in_label\"}}" "$builder")" &&
  [[ -n "$label" && "$label" != *"$(go env GOVERSION) "* ]]; then
  "$DOCKER" rmi "$builder" >/dev/null
fi
have_or_pull "$builder" || build_builder_stand_in
have_or_pull "$runtime" || build_runtime_stand_in

# --- The images ---------------------------------------------------------------

log "make images VERSION=$VERSION"
make --no-print-directory images VERSION="$VERSION"

# label IMAGE NAME prints one label of an image.
label() { "$DOCKER" image inspect --format "{{index .Config.Labels \"$2\"}}" "$1"; }

# wait_healthy CONTAINER waits until its health status is healthy.
wait_healthy() {
  local status=""
  for _ in $(seq 60); do
    status="$("$DOCKER" inspect --format '{{.State.Health.Status}}' "$1")"
    [[ "$status" == healthy ]] && return 0
    sleep 1
  done
  "$DOCKER" logs "$1" 2>&1 | tail -20 >&2
  die "$1: health $status after 60 s, want healthy"
}

# host_uid CONTAINER prints the uid its first process runs as.
host_uid() {
  if [[ "$DOCKER" == podman ]]; then
    podman top "$1" huser | awk 'NR == 2 {print $1}'
  else
    docker top "$1" -o uid | awk 'NR == 2 {print $1}'
  fi
}

# check_image NAME ENV...: the image descope-harness/NAME:VERSION started
# with ENV on no network becomes healthy by its own HEALTHCHECK, runs as
# 65532, carries the OCI labels and the version, is small enough and
# answers `NAME version` with the version.
check_image() {
  local name="$1" image="descope-harness/$1:$VERSION" size out container
  shift
  size="$("$DOCKER" image inspect --format '{{.Size}}' "$image")"
  ((size <= MAX_IMAGE_BYTES)) || die "$image is $size bytes, over $MAX_IMAGE_BYTES"
  [[ "$("$DOCKER" image inspect --format '{{.Config.User}}' "$image")" == 65532:65532 ]] || die "$image: user is not 65532:65532"
  [[ "$(label "$image" org.opencontainers.image.version)" == "$VERSION" ]] || die "$image: org.opencontainers.image.version is not $VERSION"
  local l
  for l in title description source url; do
    [[ -n "$(label "$image" "org.opencontainers.image.$l")" ]] || die "$image: no org.opencontainers.image.$l label"
  done
  out="$("$DOCKER" run --rm --network none "$image" version)"
  [[ "$out" == *"$VERSION"* ]] || die "$image: '/$name version' printed '$out', want $VERSION in it"
  # podman's complaint that it cannot schedule health checks without
  # systemd goes to a file (run_healthchecks runs them).
  container="$("$DOCKER" run -d --network none --name "test-images-$name-$$" "$@" "$image" 2>"$work/run.err")" ||
    die "$image would not start: $(cat "$work/run.err")"
  check_containers+=("$container")
  wait_healthy "$container"
  [[ "$(host_uid "$container")" == 65532 ]] || die "$image: runs as uid $(host_uid "$container"), want 65532"
  "$DOCKER" rm -f "$container" >/dev/null 2>&1
  log "$image: $size bytes, uid 65532, healthy, labels and version $VERSION"
}

check_image mockidp -e MOCKIDP_ADMIN_TOKEN="$ADMIN_TOKEN"
check_image api -e DESCOPE_PROJECT_ID="$PROJECT_ID"
"$DOCKER" image ls 'descope-harness/*'

# --- The compose stack --------------------------------------------------------

# leftovers prints the compose project's containers, networks and volumes.
leftovers() {
  local filter="label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
  "$DOCKER" ps -a -q --filter "$filter"
  "$DOCKER" network ls -q --filter "$filter"
  "$DOCKER" volume ls -q --filter "$filter"
}
[[ -z "$(leftovers)" ]] || die "a $COMPOSE_PROJECT_NAME stack is already there; remove it first"

log "make up"
make --no-print-directory up VERSION="$VERSION"
# A token from the mock through its published port, and the API accepting it
# through its own: the issuer the API trusts (http://mockidp:8080/...) is the
# one in the token although it was requested from the host.
token="$(curl -fsS -u admin-client:admin-secret -d grant_type=client_credentials \
  http://127.0.0.1:8080/oauth2/v1/token | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[[ -n "$token" ]] || die "no access token from the mock on 127.0.0.1:8080"
me="$(curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:8000/api/me)" || die "the API on 127.0.0.1:8000 refused the mock's token"
log "a token from 127.0.0.1:8080 opens /api/me on 127.0.0.1:8000: $me"

log "make compose-test"
make --no-print-directory compose-test VERSION="$VERSION"

# The live profile's command without credentials: every live spec skipped
# with a message naming the variables (set empty here, so a .env beside the
# compose file cannot bring real ones in).
log "make compose-live (no credentials)"
DESCOPE_PROJECT_ID="" DESCOPE_CLIENT_ID="" DESCOPE_CLIENT_SECRET="" DESCOPE_BASE_URL="" DESCOPE_MANAGEMENT_KEY="" \
  make --no-print-directory compose-live VERSION="$VERSION" 2>&1 | tee "$work/live.log"
grep -q "DESCOPE_CLIENT_SECRET" "$work/live.log" || die "make compose-live did not name the missing DESCOPE_CLIENT_SECRET"
grep -q "SUCCESS!" "$work/live.log" || die "make compose-live did not pass"

log "make down"
make --no-print-directory down
left="$(leftovers)"
[[ -z "$left" ]] || die "make down left containers, networks or volumes behind: $left"
log "passed in ${SECONDS} s: images built and checked, the compose stack answered, make down left nothing behind"
