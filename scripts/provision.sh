#!/usr/bin/env bash
# Provision a Debian 12 (bookworm) machine for this repo: Docker engine, a registry-free
# docker.io/library/redis:8.6 image (the tag Aspire.Hosting.Redis 13.6.5 asks for), headless Chromium, and
# what deployment needs: a local registry, a .NET base image, Compose v2 and the app images.
#
#   scripts/provision.sh [all|docker|redis-image|chromium|registry|base-image|compose|images ...] [--force] [--verify]
#
#   docker       install Debian's docker.io if dockerd is missing; start dockerd if `docker info` fails.
#   redis-image  build docker.io/library/redis:8.6 from Debian's redis binaries (no registry needed),
#                then run it the way Aspire does and check PING / SET / GET / BGSAVE from the host.
#   chromium     install Debian's chromium + fonts; check a headless screenshot.
#   registry     Debian's docker-registry serving http on 127.0.0.1:5000, started in the background.
#   base-image   127.0.0.1:5000/dotnet/aspnet:10.0: a debootstrap minbase bookworm + this machine's .NET and
#                ASP.NET Core runtime, user 1654, port 8080 (the official image's conventions); pushed to the registry.
#   compose      the Docker Compose v2 CLI plugin, from trixie's docker-compose package (bookworm has only v1).
#   images       127.0.0.1:5000/blog-api:latest and blog-web:latest: dotnet publish -t:PublishContainer.
#   all          docker redis-image chromium (default); deployment steps are asked for by name.
#   --force      rebuild the redis image / base image / app images even if they exist.
#   --verify     re-run the redis image check even if the image already existed.
#
# Idempotent: installs only what is missing, runs `apt-get update` at most once per invocation, and only
# when something has to be installed. Progress goes to stderr. Works with and without systemd.
# The *_pkgs helpers print package names one per word; splitting their output is intended.
# shellcheck disable=SC2046,SC2207
set -euo pipefail

REDIS_IMAGE="docker.io/library/redis:8.6"
REGISTRY="${BLOG_REGISTRY:-127.0.0.1:5000}"
BASE_IMAGE="$REGISTRY/dotnet/aspnet:10.0"
STATE_DIR="${PROVISION_STATE_DIR:-/var/lib/blog-provision}"   # registry data, cached rootfs, private apt state
REGISTRY_LOG="${REGISTRY_LOG:-/var/log/blog-registry.log}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
FORCE=0
VERIFY=0
APT_UPDATED=0
INSTALLED=" "   # packages this invocation installed
CLEANUP=()   # commands run on exit (temp dirs, test containers), also when a step fails
run_cleanup() { local c; for c in "${CLEANUP[@]}"; do eval "$c"; done; }
trap run_cleanup EXIT

log() { printf '[provision] %s\n' "$*" >&2; }
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
# which is noticeably faster than three runs (one dpkg trigger pass instead of three).
docker_pkgs() { command -v dockerd >/dev/null 2>&1 || echo docker.io; }
redis_pkgs() {
    pkg_installed redis-server || echo redis-server
    pkg_installed redis-tools || echo redis-tools
    # busybox-static conflicts with Debian's dynamic `busybox`; if that one is installed we extract the
    # static binary from the .deb instead of replacing the system's busybox (see busybox_static_path).
    pkg_installed busybox-static || pkg_installed busybox || echo busybox-static
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
base_image_pkgs() { pkg_installed debootstrap || echo debootstrap; }

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

# -------------------------------------------------------------------------------------------- redis image
# Path of a static busybox binary: the installed busybox-static, or (when Debian's dynamic busybox is
# installed, which busybox-static would replace) one extracted from the busybox-static .deb.
busybox_static_path() {
    if pkg_installed busybox-static; then echo /bin/busybox; return 0; fi
    local d="$1/busybox-deb"
    mkdir -p "$d"
    apt_update_once
    (cd "$d" && apt-get download -qq busybox-static >&2)
    dpkg-deb -x "$d"/busybox-static_*.deb "$d/x"
    echo "$d/x/bin/busybox"
}

# Copy a host file into the rootfs at the same path, following symlinks (so the file, not a link, lands).
copy_in() {
    local root="$1" src="$2" dst="${3:-$2}"
    mkdir -p "$root$(dirname "$dst")"
    cp -L "$src" "$root$dst"
}

build_redis_image() {
    local work; work=$(mktemp -d /tmp/redis-image.XXXXXX)
    CLEANUP+=("rm -rf '$work'")
    local root="$work/rootfs"
    # merged-/usr layout like Debian 12: /bin, /sbin, /lib, /lib64 are links into /usr.
    mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/usr/local/bin "$root"/{etc,data,tmp,root,proc,sys,dev,run}
    ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"

    # Debian's /usr/bin/redis-server is a symlink to redis-check-rdb (one binary, mode picked from argv[0]),
    # so copy the resolved file under the name redis-server.
    local srv cli
    srv=$(readlink -f "$(command -v redis-server || echo /usr/bin/redis-server)")
    cli=$(readlink -f "$(command -v redis-cli || echo /usr/bin/redis-cli)")
    [ -x "$srv" ] && [ -x "$cli" ] || die "redis-server/redis-cli binaries not found"
    copy_in "$root" "$srv" /usr/libexec/redis/redis-server
    # The official image builds redis with protected-mode off by default (so a password-less server is still
    # reachable through a published port); Debian's binary has it on. This wrapper gives the same default;
    # later --protected-mode args still win. With --requirepass (Aspire) protected mode is moot anyway.
    cat >"$root/usr/bin/redis-server" <<'EOF'
#!/bin/sh
real=/usr/libexec/redis/redis-server
case "${1:-}" in
    -v|--version|-h|--help|--test-memory|--check-system) exec "$real" "$@" ;;
    ''|-*) exec "$real" --protected-mode no "$@" ;;
    *) conf=$1; shift; exec "$real" "$conf" --protected-mode no "$@" ;;
esac
EOF
    chmod 755 "$root/usr/bin/redis-server"
    copy_in "$root" "$cli" /usr/bin/redis-cli
    local lib
    # Shared libraries + the dynamic loader (ldd prints "name => /path (addr)" and "/path/ld-linux... (addr)").
    for lib in $( { ldd "$srv"; ldd "$cli"; } | awk '/=>/ { if ($3 ~ /^\//) print $3; next } $1 ~ /^\// { print $1 }' | sort -u); do
        copy_in "$root" "$lib"
    done

    local bb; bb=$(busybox_static_path "$work")
    file_is_static "$bb" || die "$bb is not a static binary"
    cp "$bb" "$root/usr/bin/busybox"
    local a
    for a in sh ash cat chmod chown cp date echo env grep head hostname id kill ln ls mkdir mv nc ps pwd \
             rm sed sleep tail test touch uname wc which; do
        [ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
    done

    # Same entrypoint semantics as the official image (minus the privilege drop): `docker run IMAGE` or
    # `docker run IMAGE --flag` runs redis-server. Aspire overrides the entrypoint with /bin/sh anyway.
    cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "${1:-}" in ''|-*) set -- redis-server "$@" ;; esac
exec "$@"
EOF
    chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

    printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/data:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nredis:x:999:\nnogroup:x:65534:\n' >"$root/etc/group"
    printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
    chown 999:999 "$root/data"
    chmod 755 "$root/data"
    chmod 1777 "$root/tmp"

    local ver; ver=$("$(command -v redis-server || echo /usr/bin/redis-server)" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
    log "importing $REDIS_IMAGE (Debian redis-server $ver, $(du -sh "$root" | cut -f1))"
    # No USER: like the official image, the container starts as root (Aspire's /bin/sh entrypoint then runs
    # redis-server as root, which also works with bind-mounted host dirs on /data); /data is owned by 999.
    tar --numeric-owner -C "$root" -c . | $SUDO docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'WORKDIR /data' \
        --change 'VOLUME /data' \
        --change 'EXPOSE 6379' \
        --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        --change 'CMD ["redis-server"]' \
        --change "LABEL org.opencontainers.image.description=\"redis-server $ver from Debian packages, built by scripts/provision.sh\"" \
        - "$REDIS_IMAGE" >/dev/null
    rm -rf "$work"
}

file_is_static() {
    # busybox-static is statically linked: ldd says "not a dynamic executable" (exit 1).
    ! ldd "$1" >/dev/null 2>&1
}

# Run the image exactly the way Aspire.Hosting.Redis (WithDataVolume) does and talk to it from the host.
verify_redis_image() {
    local name="provision-redis-check-$$" vol="provision-redis-check-$$" pw="provision-$$-pw"
    local cleanup="$SUDO docker rm -f -v '$name' >/dev/null 2>&1 || true; $SUDO docker volume rm -f '$vol' >/dev/null 2>&1 || true"
    CLEANUP+=("$cleanup")
    $SUDO docker run -d --name "$name" -e REDIS_PASSWORD="$pw" -p 127.0.0.1::6379 -v "$vol:/data" \
        --entrypoint /bin/sh "$REDIS_IMAGE" -c 'redis-server --requirepass $REDIS_PASSWORD --save 60 1' >/dev/null
    local port; port=$($SUDO docker port "$name" 6379/tcp | head -n1 | sed 's/.*://')
    [ -n "$port" ] || die "no published port for the test container"
    local rc=(redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" -a "$pw") out=""
    for _ in $(seq 1 50); do
        out=$("${rc[@]}" ping 2>/dev/null || true)
        [ "$out" = PONG ] && break
        sleep 0.2
    done
    if [ "$out" != PONG ]; then
        $SUDO docker logs "$name" >&2 || true
        die "redis in $REDIS_IMAGE did not answer PING on 127.0.0.1:$port"
    fi
    [ "$("${rc[@]}" set provision:key hello)" = OK ] || die "SET failed"
    [ "$("${rc[@]}" get provision:key)" = hello ] || die "GET failed"
    # Without a password the server must refuse (requirepass really applied).
    out=$("${rc[@]:0:6}" ping 2>&1 || true)
    case "$out" in *NOAUTH*) ;; *) die "server answered without a password: $out" ;; esac
    "${rc[@]}" bgsave >/dev/null
    for _ in $(seq 1 50); do
        [ "$("${rc[@]}" info persistence | tr -d '\r' | sed -n 's/^rdb_bgsave_in_progress://p')" = 0 ] &&
            $SUDO docker exec "$name" test -s /data/dump.rdb && break
        sleep 0.2
    done
    $SUDO docker exec "$name" test -s /data/dump.rdb || die "BGSAVE wrote no /data/dump.rdb"
    local bind; bind=$("${rc[@]}" config get bind | tail -n1)
    # And like the official image without a password (protected-mode off): reachable from the host.
    $SUDO docker rm -f -v "$name" >/dev/null
    $SUDO docker run -d --name "$name" -p 127.0.0.1::6379 "$REDIS_IMAGE" >/dev/null
    port=$($SUDO docker port "$name" 6379/tcp | head -n1 | sed 's/.*://')
    for _ in $(seq 1 50); do
        out=$(redis-cli -h 127.0.0.1 -p "$port" ping 2>&1 || true)
        [ "$out" = PONG ] && break
        sleep 0.2
    done
    [ "$out" = PONG ] || die "password-less redis (default CMD) not reachable through 127.0.0.1:$port: $out"
    log "redis image OK: Aspire-style run answers PONG, SET/GET, NOAUTH without password, BGSAVE -> /data/dump.rdb (bind '$bind'); default CMD without password reachable too"
    eval "$cleanup"
}

step_redis_image() {
    docker_ready || step_docker
    if [ "$FORCE" -eq 0 ] && $SUDO docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1; then
        log "$REDIS_IMAGE already present (use --force to rebuild)"
        if [ "$VERIFY" -eq 1 ]; then
            apt_install redis-tools
            verify_redis_image
        fi
        return 0
    fi
    apt_install $(redis_pkgs)
    # Only the binaries are wanted: on a systemd machine keep a freshly installed host redis-server from
    # starting at boot on :6379 (its postinst enabled the unit; policy-rc.d kept it from starting now).
    if [[ "$INSTALLED" == *" redis-server "* ]] && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now redis-server.service >/dev/null 2>&1 || true
    fi
    local old; old=$($SUDO docker image inspect -f '{{.Id}}' "$REDIS_IMAGE" 2>/dev/null || true)
    build_redis_image
    local new; new=$($SUDO docker image inspect -f '{{.Id}}' "$REDIS_IMAGE")
    if [ -n "$old" ] && [ "$old" != "$new" ]; then $SUDO docker rmi "$old" >/dev/null 2>&1 || true; fi
    verify_redis_image
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

# --------------------------------------------------------------------------------------------- base image
# The official mcr.microsoft.com/dotnet/aspnet:10.0 cannot be pulled here, so build its equivalent: Debian
# bookworm minbase (+ the libraries .NET needs) with this machine's .NET runtime, ASP.NET Core runtime and host,
# user app (uid 1654), ASPNETCORE_HTTP_PORTS=8080, WORKDIR /app. The debootstrap tarball is cached in $STATE_DIR,
# so a rebuild (--force, or a new runtime version) takes seconds.
DOTNET_ROOT_HOST="${DOTNET_ROOT_HOST:-/usr/share/dotnet}"

newest_version_dir() { ls -1 "$1" 2>/dev/null | grep -E '^10\.' | sort -V | tail -n1; }

debian_mirror() {
    # The first Debian mirror this machine's apt uses (deb822 or one-line format).
    local m=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        m=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
        m=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

step_base_image() {
    docker_ready || step_docker
    registry_ready || step_registry
    local netcore aspnet fxr
    netcore=$(newest_version_dir "$DOTNET_ROOT_HOST/shared/Microsoft.NETCore.App")
    aspnet=$(newest_version_dir "$DOTNET_ROOT_HOST/shared/Microsoft.AspNetCore.App")
    fxr=$(newest_version_dir "$DOTNET_ROOT_HOST/host/fxr")
    [ -n "$netcore" ] && [ -n "$aspnet" ] && [ -n "$fxr" ] ||
        die "no .NET 10 runtime under $DOTNET_ROOT_HOST (shared/Microsoft.NETCore.App, shared/Microsoft.AspNetCore.App, host/fxr)"
    local label="netcore=$netcore aspnet=$aspnet fxr=$fxr"
    if [ "$FORCE" -eq 0 ] && registry_has dotnet/aspnet:10.0 &&
       [ "$($SUDO docker image inspect -f '{{index .Config.Labels "blog.provision.runtime"}}' "$BASE_IMAGE" 2>/dev/null)" = "$label" ]; then
        log "$BASE_IMAGE already in the registry ($label; use --force to rebuild)"
        return 0
    fi
    if [ "$FORCE" -eq 0 ] && [ "$($SUDO docker image inspect -f '{{index .Config.Labels "blog.provision.runtime"}}' "$BASE_IMAGE" 2>/dev/null)" = "$label" ]; then
        log "pushing the existing local $BASE_IMAGE"
        $SUDO docker push -q "$BASE_IMAGE" >&2
        return 0
    fi

    apt_install $(base_image_pkgs)
    local cache="$STATE_DIR/bookworm-minbase-rootfs.tar"
    $SUDO mkdir -p "$STATE_DIR"
    local work; work=$(mktemp -d /tmp/base-image.XXXXXX)
    CLEANUP+=("$SUDO rm -rf '$work'")
    local root="$work/rootfs"
    if [ ! -s "$cache" ]; then
        local mirror; mirror=$(debian_mirror)
        log "debootstrap --variant=minbase bookworm ($mirror)"
        local out="$work/debootstrap.log"
        if ! $SUDO debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata \
                bookworm "$root" "$mirror" >"$out" 2>&1; then
            tail -n 30 "$out" >&2
            die "debootstrap failed (full log: $out)"
        fi
        # Slim it down like the official image: no apt caches, lists, docs or man pages.
        $SUDO rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
            "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
        $SUDO tar --numeric-owner -C "$root" -cf "$cache.tmp" .
        $SUDO mv "$cache.tmp" "$cache"
        $SUDO rm -rf "$root"
        log "cached the rootfs as $cache ($(du -h "$cache" | cut -f1))"
    else
        log "using the cached rootfs $cache"
    fi
    $SUDO mkdir -p "$root"
    $SUDO tar --numeric-owner -C "$root" -xf "$cache"

    # The runtime exactly as the official image lays it out: /usr/share/dotnet + /usr/bin/dotnet.
    local d="$root/usr/share/dotnet"
    $SUDO mkdir -p "$d/host/fxr" "$d/shared/Microsoft.NETCore.App" "$d/shared/Microsoft.AspNetCore.App"
    $SUDO cp -a "$DOTNET_ROOT_HOST/dotnet" "$d/"
    $SUDO cp -a "$DOTNET_ROOT_HOST/LICENSE.txt" "$DOTNET_ROOT_HOST/ThirdPartyNotices.txt" "$d/" 2>/dev/null || true
    $SUDO cp -a "$DOTNET_ROOT_HOST/host/fxr/$fxr" "$d/host/fxr/"
    $SUDO cp -a "$DOTNET_ROOT_HOST/shared/Microsoft.NETCore.App/$netcore" "$d/shared/Microsoft.NETCore.App/"
    $SUDO cp -a "$DOTNET_ROOT_HOST/shared/Microsoft.AspNetCore.App/$aspnet" "$d/shared/Microsoft.AspNetCore.App/"
    $SUDO ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
    # The non-root user of the official images: app, uid/gid 1654, home /home/app.
    grep -q '^app:' "$root/etc/passwd" || {
        echo 'app:x:1654:1654:app:/home/app:/usr/sbin/nologin' | $SUDO tee -a "$root/etc/passwd" >/dev/null
        echo 'app:x:1654:' | $SUDO tee -a "$root/etc/group" >/dev/null
    }
    $SUDO mkdir -p "$root/home/app" "$root/app"
    $SUDO chown 1654:1654 "$root/home/app"

    log "importing $BASE_IMAGE ($label, $($SUDO du -sh "$root" | cut -f1))"
    local old; old=$($SUDO docker image inspect -f '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)
    $SUDO tar --numeric-owner -C "$root" -c . | $SUDO docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV APP_UID=1654' \
        --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
        --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
        --change "ENV DOTNET_VERSION=$netcore" \
        --change "ENV ASPNET_VERSION=$aspnet" \
        --change 'EXPOSE 8080' \
        --change 'WORKDIR /app' \
        --change 'USER 1654' \
        --change "LABEL blog.provision.runtime=\"$label\"" \
        --change 'LABEL org.opencontainers.image.description="Debian bookworm + .NET/ASP.NET Core runtime, built by scripts/provision.sh base-image"' \
        - "$BASE_IMAGE" >/dev/null
    $SUDO rm -rf "$root"
    local new; new=$($SUDO docker image inspect -f '{{.Id}}' "$BASE_IMAGE")
    if [ -n "$old" ] && [ "$old" != "$new" ]; then $SUDO docker rmi "$old" >/dev/null 2>&1 || true; fi
    # It must really run .NET as uid 1654 before it is worth pushing.
    local info; info=$($SUDO docker run --rm "$BASE_IMAGE" sh -c 'id -u; dotnet --list-runtimes') ||
        die "$BASE_IMAGE does not run dotnet"
    [ "$(echo "$info" | head -n1)" = 1654 ] || die "$BASE_IMAGE does not run as uid 1654: $info"
    echo "$info" | grep -q "Microsoft.AspNetCore.App $aspnet" || die "$BASE_IMAGE lacks ASP.NET Core $aspnet: $info"
    $SUDO docker push -q "$BASE_IMAGE" >&2
    log "base image OK: $BASE_IMAGE runs as uid 1654 with $(echo "$info" | tail -n +2 | tr '\n' ';' | sed 's/ \[[^]]*\]//g')"
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
    registry_has dotnet/aspnet:10.0 || step_base_image
    command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH"
    local p repo
    for p in "${APP_PROJECTS[@]}"; do
        repo=$(echo "$p" | tr '[:upper:].' '[:lower:]-')
        local t0; t0=$(now_ms)
        local out; out=$(mktemp /tmp/provision-publish.XXXXXX.log)
        log "dotnet publish $p -t:PublishContainer -> $REGISTRY/$repo:latest"
        if ! DOTNET_CONTAINER_INSECURE_REGISTRIES="$REGISTRY" dotnet publish "$REPO_ROOT/$p/$p.csproj" \
                -c Release -t:PublishContainer -p:ContainerBaseImage="$BASE_IMAGE" -p:ContainerRegistry="$REGISTRY" \
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

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; }

main() {
    local steps=() a
    for a in "$@"; do
        case "$a" in
            --force) FORCE=1 ;;
            --verify) VERIFY=1 ;;
            -h|--help) usage; exit 0 ;;
            all) steps+=(docker redis-image chromium) ;;
            docker|redis-image|chromium|registry|base-image|compose|images) steps+=("$a") ;;
            *) usage; die "unknown argument: $a" ;;
        esac
    done
    [ "${#steps[@]}" -eq 0 ] && steps=(docker redis-image chromium)

    local t0; t0=$(now_ms)
    # Install everything the chosen steps need in one apt-get run (redis packages only if the image must be
    # built: checked after docker is up, so here only when docker is not selected or already running).
    local pkgs=() s
    for s in "${steps[@]}"; do
        case "$s" in
            docker) pkgs+=($(docker_pkgs)) ;;
            chromium) pkgs+=($(chromium_pkgs)) ;;
            registry) pkgs+=($(registry_pkgs)) ;;
            base-image) pkgs+=($(registry_pkgs) $(base_image_pkgs)) ;;
            redis-image)
                if [ "$FORCE" -eq 1 ] || ! { command -v docker >/dev/null && $SUDO docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1; }; then
                    pkgs+=($(redis_pkgs))
                fi ;;
        esac
    done
    if [ "${#pkgs[@]}" -gt 0 ]; then timed "apt (${pkgs[*]})" apt_install "${pkgs[@]}"; fi
    for s in "${steps[@]}"; do
        case "$s" in
            docker) timed docker step_docker ;;
            redis-image) timed redis-image step_redis_image ;;
            chromium) timed chromium step_chromium ;;
            registry) timed registry step_registry ;;
            base-image) timed base-image step_base_image ;;
            compose) timed compose step_compose ;;
            images) timed images step_images ;;
        esac
    done
    log "all done in $(secs_since "$t0") s"
}

main "$@"
