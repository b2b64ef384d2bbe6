#!/usr/bin/env bash
# Set up a Debian 12 (bookworm) developer machine for this repo: Docker engine, headless Chromium, and what the
# deployment tests need: a local registry, Compose v2 and the app images. It never creates or retags an official
# image name: redis:8.6 and the .NET base image come from their registries (`docker pull`, the SDK). Where no registry
# is reachable, .ci/images.sh makes local stand-ins for them (see scripts/README.md).
#
#   scripts/provision.sh [all|docker|chromium|registry|compose|images ...] [--force]
#
#   docker       install Debian's docker.io if dockerd is missing; start dockerd if `docker info` fails.
#   chromium     install Debian's chromium + fonts; check a headless screenshot.
#   redis-tools  Debian's redis-server and redis-cli, not started: for the tests that talk to a plain Redis
#                (`redis-server --port 63NN --daemonize yes --save ''`, then BLOG_TEST_REDIS=127.0.0.1:63NN).
#   registry     Debian's docker-registry serving http on 127.0.0.1:5000, started in the background.
#   compose      the Docker Compose v2 CLI plugin, from trixie's docker-compose package (bookworm has only v1).
#   images       127.0.0.1:5000/blog-api:latest and blog-web:latest: dotnet publish -t:PublishContainer, on
#                BLOG_BASE_IMAGE if set, else 127.0.0.1:5000/dotnet/aspnet:10.0 if the registry has it (made by
#                .ci/images.sh base-image), else the SDK's default (the official mcr.microsoft.com image).
#   all          docker chromium redis-tools (default); deployment steps are asked for by name.
#   --force      reinstall the compose plugin even if it works.
#
# Idempotent: installs only what is missing, runs `apt-get update` at most once per invocation, and only
# when something has to be installed. Progress goes to stderr. Works with and without systemd.
# Sourced by .ci/images.sh for its helpers (apt, docker, registry): then main does not run.
# The *_pkgs helpers print package names one per word; splitting their output is intended.
# shellcheck disable=SC2046,SC2207
set -euo pipefail

REGISTRY="${BLOG_REGISTRY:-127.0.0.1:5000}"
LOCAL_BASE_IMAGE="$REGISTRY/dotnet/aspnet:10.0"   # made by .ci/images.sh base-image
STATE_DIR="${PROVISION_STATE_DIR:-/var/lib/blog-provision}"   # registry data, cached rootfs, private apt state
REGISTRY_LOG="${REGISTRY_LOG:-/var/log/blog-registry.log}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
FORCE=0
APT_UPDATED=0
INSTALLED=" "   # packages this invocation installed
CLEANUP=()   # commands run on exit (temp dirs, test containers), also when a step fails
run_cleanup() { local c; for c in "${CLEANUP[@]}"; do eval "$c"; done; }
trap run_cleanup EXIT

log() { printf '[%s] %s\n' "${LOG_TAG:-provision}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "run as root (or install sudo)"
    SUDO="sudo"
fi
# apt/dpkg and dockerd live in sbin; a developer's non-login shell may not have it on PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# ---------------------------------------------------------------------------------------------- apt helpers
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        $SUDO apt-get update -qq >&2 || die "apt-get update failed"
        APT_UPDATED=1
    fi
}

# apt_install PKG...: installs those of PKG that are not installed yet, in one apt-get run.
# Package maintainer scripts are not allowed to start services (policy-rc.d exit 101): we start dockerd
# ourselves with the flags below, and a host redis-server on :6379 is not wanted (only its binary is).
apt_install() {
    local missing=() p
    for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_update_once
    log "apt-get install ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 755 "$policy"
        own_policy=1
    fi
    local rc=0 out; out=$(mktemp /tmp/provision-apt.XXXXXX.log)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >"$out" 2>&1 || rc=$?
    [ "$own_policy" -eq 1 ] && $SUDO rm -f "$policy"
    if [ "$rc" -ne 0 ]; then tail -n 40 "$out" >&2; die "apt-get install failed ($rc), full log: $out"; fi
    rm -f "$out"
    INSTALLED+="${missing[*]} "
}

# Packages each step needs (empty = nothing to install). `all` installs the union in one apt-get run,
# which is noticeably faster than one run per step (one dpkg trigger pass).
docker_pkgs() { command -v dockerd >/dev/null 2>&1 || echo docker.io; }
redis_tools_pkgs() {
    pkg_installed redis-server || echo redis-server
    pkg_installed redis-tools || echo redis-tools
}
chromium_pkgs() {
    [ -x /usr/bin/chromium ] || echo chromium
    pkg_installed fonts-dejavu-core || echo fonts-dejavu-core
    pkg_installed fonts-liberation || echo fonts-liberation
}

registry_pkgs() {
    pkg_installed docker-registry || echo docker-registry
    command -v curl >/dev/null 2>&1 || echo curl
}

# ------------------------------------------------------------------------------------------------- docker
# dockerd flags, chosen by probing this machine instead of hard-coding:
#  * storage driver: overlay2 when an overlay mount works on the filesystem under /var/lib/docker (ext4/xfs
#    on a VM or laptop: yes, and it is fast and space-efficient); otherwise vfs (e.g. /var/lib/docker itself on
#    overlayfs inside a container, where overlay-on-overlay fails). Left out if /etc/docker/daemon.json sets
#    one, since dockerd refuses a directive given both as a flag and in the file.
#  * iptables: needed for -p port publishing (NAT) and container-to-container traffic. Debian 12's iptables is
#    the nf_tables flavour; if its nat table is unusable we try iptables-legacy, and as last resort run with
#    --iptables=false (published ports still work for 127.0.0.1 through docker-proxy).
docker_storage_flag() {
    if [ -f /etc/docker/daemon.json ] && grep -q '"storage-driver"' /etc/docker/daemon.json; then return 0; fi
    local base=/var/lib/docker
    $SUDO mkdir -p "$base"
    local t; t=$($SUDO mktemp -d "$base/.overlay-probe.XXXXXX")
    $SUDO mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
    if $SUDO mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
        $SUDO umount "$t/m"; $SUDO rm -rf "$t"
        echo "--storage-driver=overlay2"
    else
        $SUDO rm -rf "$t"
        log "overlay mount not possible under $base: using --storage-driver=vfs (slower, more disk)"
        echo "--storage-driver=vfs"
    fi
}

docker_iptables_flag() {
    if $SUDO iptables -w -t nat -S >/dev/null 2>&1; then return 0; fi
    if [ -x /usr/sbin/iptables-legacy ] && $SUDO iptables-legacy -w -t nat -S >/dev/null 2>&1; then
        log "iptables (nf_tables) unusable, switching alternatives to iptables-legacy"
        $SUDO update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
        $SUDO update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null 2>&1 || true
        return 0
    fi
    log "no usable iptables: using --iptables=false (no NAT; 127.0.0.1 ports still published via docker-proxy)"
    echo "--iptables=false"
}

docker_ready() { $SUDO docker info >/dev/null 2>&1; }

step_docker() {
    apt_install $(docker_pkgs)
    command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after installing docker.io"
    command -v docker >/dev/null 2>&1 || die "no docker client on PATH"
    # `docker` (maybe /usr/local/bin/docker, not Debian's /usr/bin/docker) must talk to this engine: the
    # default local socket, not some DOCKER_HOST / context left in the caller's environment.
    if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix:///var/run/docker.sock" ]; then
        log "warning: DOCKER_HOST=$DOCKER_HOST is set; unsetting it for this script (local engine is used)"
        unset DOCKER_HOST
    fi
    unset DOCKER_CONTEXT
    if docker_ready; then
        log "docker engine already running ($($SUDO docker info --format '{{.ServerVersion}} {{.Driver}}'))"
        return 0
    fi
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        log "starting docker via systemd"
        $SUDO systemctl enable --now docker.service >&2 || $SUDO systemctl start docker.service >&2
    elif pgrep -x dockerd >/dev/null 2>&1; then
        log "dockerd process exists but is not ready yet; waiting"
    else
        # No systemd (containers, sandboxes, CI VMs whose init is not systemd): start dockerd directly,
        # detached (setsid + nohup, stdin closed) so it outlives this script and its caller's session.
        local flags=() f
        f=$(docker_storage_flag); [ -n "$f" ] && flags+=("$f")
        f=$(docker_iptables_flag); [ -n "$f" ] && flags+=("$f")
        if ! { $SUDO touch "$DOCKERD_LOG"; } 2>/dev/null; then DOCKERD_LOG=/tmp/dockerd.log; fi
        log "starting dockerd ${flags[*]} (log: $DOCKERD_LOG)"
        $SUDO env LOG="$DOCKERD_LOG" sh -c \
            'if command -v setsid >/dev/null; then setsid -f nohup dockerd "$@"; else nohup dockerd "$@" & fi \
                 </dev/null >>"$LOG" 2>&1' sh "${flags[@]}"
    fi
    for _ in $(seq 1 120); do
        docker_ready && break
        sleep 0.5
    done
    if ! docker_ready; then
        log "dockerd did not become ready within 60 s; last log lines:"
        $SUDO tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
        die "docker engine not running"
    fi
    log "docker engine ready ($($SUDO docker info --format '{{.ServerVersion}} {{.Driver}}'))"
}

# -------------------------------------------------------------------------------------------- redis-tools
step_redis_tools() {
    apt_install $(redis_tools_pkgs)
    # Only the binaries are wanted: on a systemd machine keep a freshly installed host redis-server from
    # starting at boot on :6379 (its postinst enabled the unit; policy-rc.d kept it from starting now).
    if [[ "$INSTALLED" == *" redis-server "* ]] && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now redis-server.service >/dev/null 2>&1 || true
    fi
    log "redis tools OK: $(redis-server --version | cut -d' ' -f1-3) (not started)"
}

# ----------------------------------------------------------------------------------------------- chromium
CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run)

step_chromium() {
    apt_install $(chromium_pkgs)
    local v; v=$(/usr/bin/chromium --version 2>/dev/null) || die "chromium --version failed"
    local shot; shot=$(mktemp /tmp/provision-chromium.XXXXXX.png)
    local dir; dir=$(mktemp -d /tmp/provision-chromium-profile.XXXXXX)
    if timeout 60 /usr/bin/chromium "${CHROMIUM_FLAGS[@]}" --user-data-dir="$dir" --window-size=400,300 \
            --screenshot="$shot" 'data:text/html,<h1>provision ok</h1>' >/dev/null 2>&1 &&
       [ "$(head -c 4 "$shot" | tail -c 3)" = PNG ]; then
        log "chromium OK: $v, headless screenshot $(stat -c %s "$shot") bytes"
        rm -rf "$shot" "$dir"
    else
        rm -rf "$shot" "$dir"
        die "chromium headless screenshot failed ($v)"
    fi
}

# ----------------------------------------------------------------------------------------------- registry
# Debian's docker-registry (the CNCF distribution registry) with its own config: http on 127.0.0.1 only, data
# under $STATE_DIR/registry. Docker trusts 127.0.0.0/8 registries without TLS; `dotnet publish` needs
# DOTNET_CONTAINER_INSECURE_REGISTRIES for it (see step_images).
registry_ready() { curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY/v2/" 2>/dev/null; }

step_registry() {
    apt_install $(registry_pkgs)
    # The package's own service (all interfaces, /var/lib/docker-registry) is not wanted on a systemd machine.
    if [[ "$INSTALLED" == *" docker-registry "* ]] && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
    fi
    if registry_ready; then
        log "registry already answering on http://$REGISTRY"
        return 0
    fi
    local conf="$STATE_DIR/registry.yml"
    $SUDO mkdir -p "$STATE_DIR/registry"
    $SUDO tee "$conf" >/dev/null <<EOF
# Written by scripts/provision.sh registry
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
    if ! { $SUDO touch "$REGISTRY_LOG"; } 2>/dev/null; then REGISTRY_LOG=/tmp/blog-registry.log; fi
    log "starting docker-registry on $REGISTRY (log: $REGISTRY_LOG)"
    $SUDO env LOG="$REGISTRY_LOG" CONF="$conf" sh -c \
        'if command -v setsid >/dev/null; then setsid -f nohup docker-registry serve "$CONF"; else nohup docker-registry serve "$CONF" & fi \
             </dev/null >>"$LOG" 2>&1'
    for _ in $(seq 1 50); do registry_ready && break; sleep 0.2; done
    if ! registry_ready; then
        $SUDO tail -n 20 "$REGISTRY_LOG" >&2 2>/dev/null || true
        die "registry did not answer on http://$REGISTRY/v2/"
    fi
    log "registry ready on http://$REGISTRY"
}

# true when REPO:TAG has a manifest in the local registry
registry_has() {
    local repo="${1%:*}" tag="${1##*:}"
    curl -fsS -o /dev/null --max-time 5 \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null
}

# ------------------------------------------------------------------------------------------------ compose
# Compose v2 without touching the system's apt: a private apt state whose sources are this machine's with
# bookworm replaced by trixie; download trixie's docker-compose .deb (a static Go binary, needs libc >= 2.34)
# and install only its CLI plugin.
COMPOSE_PLUGIN_DIR="${COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"

compose_ready() { docker compose version >/dev/null 2>&1; }

step_compose() {
    command -v docker >/dev/null 2>&1 || step_docker
    if [ "$FORCE" -eq 0 ] && compose_ready; then
        log "docker compose already works ($(docker compose version --short 2>/dev/null || docker compose version))"
        return 0
    fi
    local apt_dir="$STATE_DIR/apt-trixie"
    $SUDO mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    local src
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # bookworm, bookworm-updates, bookworm-security -> trixie, trixie-updates, trixie-security
        sed 's/\bbookworm/trixie/g' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$apt_dir/sources.list.d/trixie.sources" >/dev/null
        src=sources
    else
        grep -E '^deb ' /etc/apt/sources.list | sed 's/\bbookworm/trixie/g' | $SUDO tee "$apt_dir/sources.list.d/trixie.list" >/dev/null
        src=list
    fi
    local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
                -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
                -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0")
    log "private apt state for trixie ($src): apt-get update"
    $SUDO apt-get "${opts[@]}" update -qq >&2 || die "apt-get update (trixie, private state in $apt_dir) failed"
    local work; work=$(mktemp -d /tmp/compose.XXXXXX)
    CLEANUP+=("rm -rf '$work'")
    chmod 755 "$work"   # apt downloads as the _apt user
    (cd "$work" && $SUDO apt-get "${opts[@]}" download -qq docker-compose >&2) || die "apt-get download docker-compose (trixie) failed"
    dpkg-deb -x "$work"/docker-compose_*.deb "$work/x"
    local bin="$work/x/usr/libexec/docker/cli-plugins/docker-compose"
    [ -x "$bin" ] || die "no CLI plugin in $(ls "$work"/docker-compose_*.deb)"
    $SUDO install -D -m 755 "$bin" "$COMPOSE_PLUGIN_DIR/docker-compose"
    compose_ready || die "docker compose does not work after installing $COMPOSE_PLUGIN_DIR/docker-compose"
    log "compose OK: $(docker compose version) ($COMPOSE_PLUGIN_DIR/docker-compose)"
}

# ------------------------------------------------------------------------------------------------- images
# The app images, built by the .NET SDK's container support (no Dockerfile, no docker build) on the local base
# image and pushed to the local registry: $REGISTRY/blog-api:latest and $REGISTRY/blog-web:latest. Always rebuilt
# (the images must match the working tree); unchanged layers are not uploaded again.
APP_PROJECTS=(Blog.Api Blog.Web)

step_images() {
    registry_ready || step_registry
    command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH"
    local image="${BLOG_BASE_IMAGE:-}" base=() p repo
    if [ -z "$image" ] && registry_has dotnet/aspnet:10.0; then image="$LOCAL_BASE_IMAGE"; fi
    if [ -n "$image" ]; then base=(-p:ContainerBaseImage="$image"); fi
    log "base image: ${image:-the SDK default (mcr.microsoft.com/dotnet/aspnet)}"
    for p in "${APP_PROJECTS[@]}"; do
        repo=$(echo "$p" | tr '[:upper:].' '[:lower:]-')
        local t0; t0=$(now_ms)
        local out; out=$(mktemp /tmp/provision-publish.XXXXXX.log)
        log "dotnet publish $p -t:PublishContainer -> $REGISTRY/$repo:latest"
        if ! DOTNET_CONTAINER_INSECURE_REGISTRIES="$REGISTRY" dotnet publish "$REPO_ROOT/$p/$p.csproj" \
                -c Release -t:PublishContainer "${base[@]}" -p:ContainerRegistry="$REGISTRY" \
                -p:ContainerImageTags=latest -nologo -v:q >"$out" 2>&1; then
            tail -n 40 "$out" >&2
            die "dotnet publish $p failed (full log: $out)"
        fi
        rm -f "$out"
        registry_has "$repo:latest" || die "$REGISTRY/$repo:latest is not in the registry after publishing"
        log "$REGISTRY/$repo:latest pushed in $(secs_since "$t0") s"
    done
}

# ------------------------------------------------------------------------------------------------- main
secs_since() { local d=$(( $(now_ms) - $1 )); echo "$(( d / 1000 )).$(( d % 1000 / 100 ))"; }
timed() {
    local name="$1" t0; shift
    t0=$(now_ms)
    "$@"
    log "$name done in $(secs_since "$t0") s"
}

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

main() {
    local steps=() a
    for a in "$@"; do
        case "$a" in
            --force) FORCE=1 ;;
            -h|--help) usage; exit 0 ;;
            all) steps+=(docker chromium redis-tools) ;;
            docker|chromium|redis-tools|registry|compose|images) steps+=("$a") ;;
            redis-image|base-image) die "$a moved to .ci/images.sh (it makes local stand-ins for official images)" ;;
            *) usage; die "unknown argument: $a" ;;
        esac
    done
    [ "${#steps[@]}" -eq 0 ] && steps=(docker chromium redis-tools)

    local t0; t0=$(now_ms)
    # Install everything the chosen steps need in one apt-get run.
    local pkgs=() s
    for s in "${steps[@]}"; do
        case "$s" in
            docker) pkgs+=($(docker_pkgs)) ;;
            chromium) pkgs+=($(chromium_pkgs)) ;;
            redis-tools) pkgs+=($(redis_tools_pkgs)) ;;
            registry) pkgs+=($(registry_pkgs)) ;;
        esac
    done
    if [ "${#pkgs[@]}" -gt 0 ]; then timed "apt (${pkgs[*]})" apt_install "${pkgs[@]}"; fi
    for s in "${steps[@]}"; do
        case "$s" in
            docker) timed docker step_docker ;;
            chromium) timed chromium step_chromium ;;
            redis-tools) timed redis-tools step_redis_tools ;;
            registry) timed registry step_registry ;;
            compose) timed compose step_compose ;;
            images) timed images step_images ;;
        esac
    done
    log "all done in $(secs_since "$t0") s"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
