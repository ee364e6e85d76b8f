# Sourced by ./mvnw and ./tern: points JAVA_HOME at a JDK of release 25 or later.
# Order: $JAVA_HOME, the `java` on PATH, then JDKs installed under /usr/lib/jvm.

tern_java_release() {
  # Prints the feature release of the JDK at $1 (e.g. 25), or nothing.
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

tern_find_java_home() {
  local wanted=25 candidate release
  for candidate in "${JAVA_HOME:-}" \
      "$(command -v java >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
      /usr/lib/jvm/*; do
    [ -n "$candidate" ] || continue
    release=$(tern_java_release "$candidate")
    if [ -n "$release" ] && [ "$release" -ge "$wanted" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! TERN_JAVA_HOME=$(tern_find_java_home); then
  echo "Tern needs a JDK of release 25 or later, and none was found in JAVA_HOME, on PATH or under /usr/lib/jvm." >&2
  echo "Install one (for example Temurin 25) and set JAVA_HOME to it, then run this command again." >&2
  exit 1
fi
export JAVA_HOME="$TERN_JAVA_HOME"
