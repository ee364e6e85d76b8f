#!/usr/bin/env bash
# Builds Tern's container image as a tarball (controlplane/target/jib-image.tar) with Jib, without a
# Docker daemon. Run from anywhere in the repository:
#   deploy/image/build.sh
# The base image must hold a Java 25 runtime. Give one with TERN_BASE_IMAGE (or --base):
#   TERN_BASE_IMAGE=registry.example.com/eclipse-temurin:25-jre deploy/image/build.sh
#   deploy/image/build.sh --base tar:///path/to/base.tar
# Without one, a base is made from the local JDK 25 (deploy/image/base-from-local-jdk.sh): JAVA_HOME
# if it is a JDK 25, else the first JDK 25 among /usr/lib/jvm/*; the build fails if there is none.
# Prints the tarball's path, size and image digest. Load it with `docker load -i` or push it with
# any OCI tool (crane, skopeo); `jib:build -Djib.to.image=...` pushes straight to a registry instead.
set -euo pipefail

usage="usage: deploy/image/build.sh [--base IMAGE|tar:///path/to/base.tar]"
base="${TERN_BASE_IMAGE:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="${2:?$usage}"; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
jib=com.google.cloud.tools:jib-maven-plugin:3.5.2
start=$SECONDS

# The major version a `java -version` reports (25 for "25.0.3"), or nothing.
java_major() {
  "$1/bin/java" -version 2>&1 | sed -n '1s/.* version "\([0-9]*\).*/\1/p'
}

# A JDK 25 home with jlink: JAVA_HOME if it is one, else the first under /usr/lib/jvm.
find_jdk25() {
  local candidate
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/jlink" ] && [ "$(java_major "$candidate")" = 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

jdk=$(find_jdk25) || {
  echo "build: no JDK 25 found: JAVA_HOME is '${JAVA_HOME:-unset}'" \
    "$( [ -n "${JAVA_HOME:-}" ] && echo "(java -version: $(java_major "$JAVA_HOME" || true))")" \
    "and /usr/lib/jvm holds none with jlink. Tern builds and runs on Java 25: set JAVA_HOME to a JDK 25." >&2
  exit 1
}
# Maven and the wrapper run on the same JDK 25 (Micronaut 5 is Java 25 bytecode).
export JAVA_HOME="$jdk"

if [ -z "$base" ]; then
  base_tar="$repo/controlplane/target/tern-base.tar"
  mkdir -p "$(dirname "$base_tar")"
  echo "build: [1/3] no base image given (TERN_BASE_IMAGE or --base); making one from the JDK at $jdk"
  "$repo/deploy/image/base-from-local-jdk.sh" "$jdk" "$base_tar"
  base="tar://$base_tar"
else
  echo "build: [1/3] base image: $base"
fi

echo "build: [2/3] packaging the control plane and building the image with Jib ($jib:buildTar)"
# -am builds the modules the control plane depends on; jib.containerize keeps Jib to the control plane.
./mvnw -B -q -pl controlplane -am -DskipTests package "$jib:buildTar" \
  -Djib.containerize=dev.tern:tern-controlplane -Djib.from.image="$base"

image="$repo/controlplane/target/jib-image.tar"
[ -s "$image" ] || { echo "build: Jib reported success but wrote no $image" >&2; exit 1; }
echo "build: [3/3] done in $((SECONDS - start)) s"
echo "build: image tarball: $image"
echo "build: size: $(du -h "$image" | cut -f1)"
digest=$(cat "$repo/controlplane/target/jib-image.digest" 2>/dev/null || true)
image_id=$(cat "$repo/controlplane/target/jib-image.id" 2>/dev/null || true)
echo "build: image digest: ${digest:-unknown}"
echo "build: image id: ${image_id:-unknown}"
