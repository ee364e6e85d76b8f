#!/usr/bin/env bash
# Builds a base image tarball (docker-archive format) for Jib from a local JDK 25 and this
# machine's glibc, for building Tern's image where no container registry is reachable:
#   deploy/image/base-from-local-jdk.sh /path/to/jdk-25 /tmp/tern-base.tar
#   ./mvnw -B -pl controlplane -am -DskipTests package \
#     com.google.cloud.tools:jib-maven-plugin:3.5.2:buildTar \
#     -Djib.containerize=dev.tern:tern-controlplane -Djib.from.image=tar:///tmp/tern-base.tar
# The runtime is jlinked from the JDK (no compiler, debugger or jlink); the C libraries are the
# build machine's, so the image is only as current as that machine. For production, prefer a
# maintained Java 25 base image from your registry (the default in controlplane/pom.xml).
set -euo pipefail

jdk=${1:?usage: base-from-local-jdk.sh JDK_25_HOME OUTPUT.tar}
out=${2:?usage: base-from-local-jdk.sh JDK_25_HOME OUTPUT.tar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

modules=$("$jdk/bin/java" --list-modules | sed 's/@.*//' \
  | grep -Ev '^(jdk\.(jlink|jshell|javadoc|compiler|jartool|jdeps|jpackage|jdi|jdwp\.agent|hotspot\.agent|graal.*|internal\.vm\.ci|incubator\..*))$' \
  | paste -sd,)
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --output "$root/opt/java/openjdk" 2>/dev/null

# What the runtime links against (glibc 2.34+ has the DNS and files resolvers built in).
mkdir -p "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/etc" "$root/tmp" "$root/proc"
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libz.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created_by":"deploy/image/base-from-local-jdk.sh"}]}
JSON
printf '[{"Config":"config.json","RepoTags":["tern-base:local"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "base image: $out"
