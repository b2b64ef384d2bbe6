#!/usr/bin/env bash
# CI's image stand-ins, for machines where no container registry is reachable (ours: see scripts/README.md).
# A developer without a registry runs the same steps. scripts/provision.sh (sourced for its apt, docker and registry
# helpers) sets up the machine; this script makes the two official images the tests need but cannot pull:
#
#   .ci/images.sh [redis|base-image ...] [--force] [--verify]
#
#   redis        docker.io/library/redis:8.6 (the tag Aspire.Hosting.Redis 13.6.5 asks for): `docker pull` first
#                (PULL_TIMEOUT, 30 s); only where that fails, an image built from Debian's redis binaries and
#                busybox, checked by running it the way Aspire does (PING / SET / GET / NOAUTH / BGSAVE).
#   base-image   127.0.0.1:5000/dotnet/aspnet:10.0, the stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 (which
#                `dotnet publish` pulls by itself where it can): debootstrap minbase bookworm + this machine's .NET
#                and ASP.NET Core runtime, user 1654, port 8080; pushed to the local registry. Under its own name,
#                so `scripts/provision.sh images` uses it only when it is there.
#   (none)       redis base-image.
#   --force      pull or rebuild the redis image, rebuild the base image, even if they exist.
#   --verify     re-run the redis image check even if the image already existed.
#
# Idempotent, like scripts/provision.sh.
# shellcheck disable=SC2046,SC2207
set -euo pipefail
LOG_TAG=ci-images
# shellcheck source=../scripts/provision.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/provision.sh"

REDIS_IMAGE="docker.io/library/redis:8.6"
BASE_IMAGE="$LOCAL_BASE_IMAGE"
PULL_TIMEOUT="${PULL_TIMEOUT:-30}"
VERIFY=0

# busybox-static conflicts with Debian's dynamic `busybox`; if that one is installed we extract the
# static binary from the .deb instead of replacing the system's busybox (see busybox_static_path).
busybox_pkgs() { pkg_installed busybox-static || pkg_installed busybox || echo busybox-static; }
base_image_pkgs() { pkg_installed debootstrap || echo debootstrap; }

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
        --change "LABEL org.opencontainers.image.description=\"redis-server $ver from Debian packages, built by .ci/images.sh\"" \
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
        log "$REDIS_IMAGE already present (use --force to pull or rebuild it)"
        if [ "$VERIFY" -eq 1 ]; then
            apt_install redis-tools
            verify_redis_image
        fi
        return 0
    fi
    # The real image wins wherever a registry answers; the timeout keeps a closed network from hanging here.
    log "docker pull $REDIS_IMAGE (at most ${PULL_TIMEOUT} s)"
    if timeout "$PULL_TIMEOUT" $SUDO docker pull -q "$REDIS_IMAGE" >&2 2>/dev/null; then
        log "pulled $REDIS_IMAGE"
        return 0
    fi
    log "pull failed: building a local $REDIS_IMAGE from Debian's redis-server"
    step_redis_tools
    apt_install $(busybox_pkgs)
    local old; old=$($SUDO docker image inspect -f '{{.Id}}' "$REDIS_IMAGE" 2>/dev/null || true)
    build_redis_image
    local new; new=$($SUDO docker image inspect -f '{{.Id}}' "$REDIS_IMAGE")
    if [ -n "$old" ] && [ "$old" != "$new" ]; then $SUDO docker rmi "$old" >/dev/null 2>&1 || true; fi
    verify_redis_image
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
        --change 'LABEL org.opencontainers.image.description="Debian bookworm + .NET/ASP.NET Core runtime, built by .ci/images.sh base-image"' \
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

images_main() {
    local steps=() a
    for a in "$@"; do
        case "$a" in
            --force) FORCE=1 ;;
            --verify) VERIFY=1 ;;
            -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
            redis|base-image) steps+=("$a") ;;
            *) die "unknown argument: $a (redis, base-image, --force, --verify)" ;;
        esac
    done
    [ "${#steps[@]}" -eq 0 ] && steps=(redis base-image)
    local t0 s; t0=$(now_ms)
    for s in "${steps[@]}"; do
        case "$s" in
            redis) timed redis step_redis_image ;;
            base-image) timed base-image step_base_image ;;
        esac
    done
    log "all done in $(secs_since "$t0") s"
}

images_main "$@"
