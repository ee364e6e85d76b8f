#!/usr/bin/env bash
# Runs the image tarball Jib built (controlplane/target/jib-image.tar) the way the StatefulSet
# does, without a container runtime: its layers unpacked, the root filesystem read-only, as the
# image's user, with tmpfs at /tmp and /var/lib/tern, deploy/base/tern.yml as --config and a
# generated secret file through MICRONAUT_CONFIG_FILES. Passes when /health answers UP and the
# embedded DNS serves the configured zone. Needs root (unshare, mount, chroot), binds loopback.
#   deploy/image/smoke.sh controlplane/target/jib-image.tar
set -euo pipefail

image=$(realpath "${1:?usage: smoke.sh IMAGE.tar}")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
pid=""
# unshare ignores SIGTERM while it waits, and --kill-child does not reach Tern once chroot has
# changed user, so the JVM (unshare's child, PID 1 in its namespace) is stopped directly.
cleanup() {
  if [ -n "$pid" ]; then
    local jvm
    jvm=$(ps -o pid= --ppid "$pid" || true)
    if [ -n "$jvm" ]; then kill $jvm 2>/dev/null || true; fi
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if [ -n "$jvm" ]; then kill -KILL $jvm 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rootfs" "$work/image" "$work/config" "$work/secret"
tar -C "$work/image" -xf "$image"
for layer in $(sed 's/.*"Layers":\[\([^]]*\)\].*/\1/; s/[",]/ /g' "$work/image/manifest.json"); do
  tar --warning=no-unknown-keyword -C "$work/rootfs" -xzf "$work/image/$layer"
done
user=$(sed 's/.*"User":"\([^"]*\)".*/\1/' "$work/image/config.json")
mkdir -p "$work/rootfs/etc/tern/config" "$work/rootfs/etc/tern/secret" "$work/rootfs/var/lib/tern" \
  "$work/rootfs/tmp" "$work/rootfs/proc"
cp "$repo/deploy/base/tern.yml" "$work/config/tern.yml"
printf 'tern:\n  cluster:\n    secret: "%s"\n' "$(head -c 24 /dev/urandom | base64)" > "$work/secret/node.yml"
chgrp "${user#*:}" "$work/secret/node.yml" && chmod 0440 "$work/secret/node.yml"

http_port=18181
dns_port=15354
cat > "$work/run.sh" <<RUN
set -e
r=$work/rootfs
mount --bind \$r \$r && mount -o remount,bind,ro \$r
mount -t tmpfs -o mode=1777 tmpfs \$r/tmp
mount -t tmpfs -o uid=${user%:*},gid=${user#*:} tmpfs \$r/var/lib/tern
mount --bind $work/config \$r/etc/tern/config
mount --bind $work/secret \$r/etc/tern/secret
mount -t proc proc \$r/proc
if touch \$r/.writable 2>/dev/null; then echo "smoke: the root filesystem is writable" >&2; exit 1; fi
exec env -i PATH=/opt/java/openjdk/bin:/usr/bin:/bin JAVA_HOME=/opt/java/openjdk \
  MICRONAUT_CONFIG_FILES=/etc/tern/secret/node.yml TERN_CLUSTER_NODE_ID=tern-0 \
  TERN_CLUSTER_MEMBERS=tern-0@127.0.0.1:17800 MICRONAUT_SERVER_HOST=127.0.0.1 \
  MICRONAUT_SERVER_PORT=$http_port TERN_DNS_HOST=127.0.0.1 TERN_DNS_PORT=$dns_port \
  $(command -v chroot) --userspec=$user \$r \
  $(sed 's/.*"Entrypoint":\[\([^]]*\)\].*/\1/; s/","/ /g; s/"//g' "$work/image/config.json") \
  server --config /etc/tern/config/tern.yml
RUN
unshare --mount --pid --fork --kill-child bash "$work/run.sh" > "$work/tern.log" 2>&1 &
pid=$!
for _ in $(seq 60); do
  if curl -sf -m 2 "http://127.0.0.1:$http_port/health" | grep -q '"UP"'; then
    grep -q "authoritative for \[gslb.example.com\]" "$work/tern.log" \
      || { echo "smoke: the DNS does not serve the zone" >&2; cat "$work/tern.log" >&2; exit 1; }
    echo "smoke: image runs as $user on a read-only root filesystem; /health UP; DNS serves gslb.example.com"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "smoke: Tern did not answer /health" >&2
cat "$work/tern.log" >&2
exit 1
