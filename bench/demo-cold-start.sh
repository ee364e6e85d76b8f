#!/usr/bin/env bash
# Times `tern demo` from launching the JVM to the first correct DNS answer: an Asian client
# (ECS 10.30.0.1/24) answered with the Singapore backend alone, 127.0.1.6, which needs the cluster
# elected, the policy committed, the probe agents' measurements in and a plan decided and
# served. Runs RUNS times (default 5) on ports 18080 and 15353 and prints each time and the
# median. Usage: bench/demo-cold-start.sh [RUNS]. Needs dig; builds the jar if stale.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
. "$root/.mvn/java-home.sh"
"$root/tern" --version > /dev/null
jar=$(mktemp --suffix=.jar)
cp "$root/controlplane/target/tern.jar" "$jar"
out=$(mktemp)
trap 'rm -f "$jar" "$out"' EXIT

times=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$JAVA_HOME/bin/java" -jar "$jar" demo --port 18080 --dns-port 15353 > "$out" 2>&1 &
  pid=$!
  answered=""
  for _ in $(seq 1 600); do
    # Exactly one address: before the first measurements every backend is answered by weight.
    if [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p 15353 shop.tern.test +subnet=10.30.0.1/24 2>/dev/null)" \
        = 127.0.1.6 ]; then
      answered=$(date +%s%N)
      break
    fi
    sleep 0.05
  done
  kill -TERM "$pid"
  wait "$pid" || true
  if [ -z "$answered" ]; then
    echo "run $run: no correct answer within 30 s; the demo said:" >&2
    tail -20 "$out" >&2
    exit 1
  fi
  ms=$(( (answered - start) / 1000000 ))
  times+=("$ms")
  echo "run $run: first correct answer after $ms ms"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms over " NR " runs"}'
