#!/usr/bin/env bash
# Starts or stops a 3-member etcd 3.4 cluster on 127.0.0.1: the peer of Tern's commit-latency
# benchmark (docs/benchmarks.md).
#
#   etcd-cluster.sh start DIR   fresh cluster with its data, logs and PIDs under DIR; returns
#                               once all three members answer `etcdctl endpoint health`
#   etcd-cluster.sh stop DIR    stops exactly the members whose PIDs are in DIR/*.pid
#
# Members: etcd1..etcd3, client ports 23791-23793, peer ports 23801-23803.
# Installs Debian's etcd-server and etcd-client first when `etcd` or `etcdctl` is missing.
#
# Environment:
#   TERN_ETCD_UNSAFE_NO_FSYNC=1   run the members with --unsafe-no-fsync. etcd ships with fsync on
#                                 (the default here); Tern's default Raft log does not fsync, so
#                                 this gives the like-for-like comparison.
#   TERN_ETCD_START_TIMEOUT=30    seconds to wait for a healthy cluster before giving up.
# (Not ETCD_*: etcd reads every ETCD_* variable as one of its own flags.)
set -euo pipefail

readonly MEMBERS=(1 2 3)
readonly HOST=127.0.0.1

client_port() { echo $((23790 + $1)); }
peer_port() { echo $((23800 + $1)); }
client_url() { echo "http://$HOST:$(client_port "$1")"; }
peer_url() { echo "http://$HOST:$(peer_port "$1")"; }

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

ensure_etcd() {
  if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then
    return 0
  fi
  echo "etcd-cluster: installing etcd-server and etcd-client (Debian packages)" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server etcd-client >&2
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
    echo "etcd-cluster: note: the package started its own etcd service on localhost:2379;" \
      "this benchmark does not use it (stop it with: systemctl disable --now etcd)" >&2
  fi
}

# True when the process exists and has not exited; one that exited but is not reaped yet
# (state Z) counts as gone.
is_alive() {
  local stat
  [ -n "$1" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != "Z" ]
}

# True when the process is alive and is an etcd (guards against a reused PID).
is_our_etcd() {
  is_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "etcd" ]
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

all_endpoints() {
  local m out=""
  for m in "${MEMBERS[@]}"; do out="$out${out:+,}$(client_url "$m")"; done
  echo "$out"
}

start() {
  local dir=$1 m cluster="" token flags=()
  ensure_etcd
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)

  for m in "${MEMBERS[@]}"; do
    if [ -f "$dir/etcd$m.pid" ] && is_our_etcd "$(cat "$dir/etcd$m.pid")"; then
      echo "etcd-cluster: etcd$m from $dir is still running; run: $0 stop $dir" >&2
      exit 1
    fi
  done
  for m in "${MEMBERS[@]}"; do
    local p
    for p in "$(client_port "$m")" "$(peer_port "$m")"; do
      if port_in_use "$p"; then
        echo "etcd-cluster: port $p on $HOST is taken; stop whatever listens there (an earlier run: $0 stop ITS_DIR)" >&2
        exit 1
      fi
    done
  done

  local version
  version=$(etcd --version | sed -n 's/^etcd Version: //p')
  case "$version" in
    3.4.*) ;;
    *) echo "etcd-cluster: warning: etcd $version found; the benchmark's baseline is etcd 3.4" >&2 ;;
  esac

  for m in "${MEMBERS[@]}"; do cluster="$cluster${cluster:+,}etcd$m=$(peer_url "$m")"; done
  # A new token per start: members never join a cluster left over from an earlier run.
  token="tern-bench-$$-$(date +%s)"
  # etcd 3.4.23 accepts --unsafe-no-fsync although `etcd --help` does not list it.
  if [ "${TERN_ETCD_UNSAFE_NO_FSYNC:-0}" = "1" ]; then flags+=(--unsafe-no-fsync); fi

  for m in "${MEMBERS[@]}"; do
    rm -rf "$dir/etcd$m.data"
    env $(env | sed -n 's/^\(ETCD[A-Z_]*\)=.*/-u \1/p') \
      etcd --name "etcd$m" \
        --data-dir "$dir/etcd$m.data" \
        --listen-client-urls "$(client_url "$m")" \
        --advertise-client-urls "$(client_url "$m")" \
        --listen-peer-urls "$(peer_url "$m")" \
        --initial-advertise-peer-urls "$(peer_url "$m")" \
        --initial-cluster "$cluster" \
        --initial-cluster-token "$token" \
        --initial-cluster-state new \
        --logger zap --log-outputs stderr \
        "${flags[@]}" \
        </dev/null >"$dir/etcd$m.log" 2>&1 &
    echo $! >"$dir/etcd$m.pid"
  done

  local timeout=${TERN_ETCD_START_TIMEOUT:-30} deadline
  deadline=$((SECONDS + timeout))
  while :; do
    for m in "${MEMBERS[@]}"; do
      if ! is_alive "$(cat "$dir/etcd$m.pid")"; then
        echo "etcd-cluster: etcd$m exited during start; its log ends:" >&2
        tail -n 20 "$dir/etcd$m.log" >&2
        stop "$dir"
        exit 1
      fi
    done
    if ETCDCTL_API=3 etcdctl --endpoints "$(all_endpoints)" --dial-timeout 1s --command-timeout 2s \
        endpoint health >/dev/null 2>&1; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "etcd-cluster: not healthy after ${timeout}s; logs are in $dir; stopping" >&2
      stop "$dir"
      exit 1
    fi
    sleep 0.2
  done
  echo "etcd-cluster: healthy: $(all_endpoints) (fsync $([ "${#flags[@]}" -eq 0 ] && echo on || echo off), data in $dir)"
}

stop() {
  local dir=$1 m pid pids=()
  [ -d "$dir" ] || return 0
  for m in "${MEMBERS[@]}"; do
    pid=$(cat "$dir/etcd$m.pid" 2>/dev/null) || continue
    if is_our_etcd "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 10)) left
  while :; do
    left=()
    for pid in "${pids[@]}"; do is_our_etcd "$pid" && left+=("$pid"); done
    [ "${#left[@]}" -eq 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "etcd-cluster: ${left[*]} still running after 10s; sending SIGKILL" >&2
      kill -KILL "${left[@]}" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
  for m in "${MEMBERS[@]}"; do rm -f "$dir/etcd$m.pid"; done
}

[ $# -eq 2 ] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
