#!/usr/bin/env bash
# Runs a real Apache Kafka broker (single-node KRaft, combined broker+controller)
# on loopback from Maven Central jars, without Docker. For Rotor's development
# and integration tests. See docs/kafka-broker.md.
#
#   kafka.sh install                       resolve the broker jars, format a storage template
#                                          (idempotent; ~0.2 s when done)
#   kafka.sh start DIR                     format DIR if new, start, wait until it serves;
#                                          prints 127.0.0.1:PORT (also in DIR/bootstrap)
#   kafka.sh stop DIR                      SIGTERM, then SIGKILL after a grace period; waits for exit
#   kafka.sh restart DIR                   stop + start on the same ports, keeping the data
#   kafka.sh status DIR                    exit 0 serving, 1 running but not serving, 3 stopped
#   kafka.sh create-topic DIR NAME PARTITIONS [KEY=VALUE...]
#                                          create NAME (replication factor 1) unless it exists,
#                                          with optional topic configs; waits for leaders
#   kafka.sh run-class DIR CLASS [ARGS...] run a Kafka tool class with the broker's classpath;
#                                          @BOOTSTRAP@ in ARGS is replaced by DIR's bootstrap
#   kafka.sh smoke DIR                     start (if needed) and check produce/consume, idempotent
#                                          produce and a consumer group with kcat, and transactions
#                                          (txn_check.c, if cc and librdkafka-dev); leaves it running
#
# Only the bootstrap address goes to stdout; progress and errors go to stderr.
#
# Environment:
#   ROTOR_KAFKA_HOME           jar cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/rotor-kafka)
#   ROTOR_KAFKA_VERSION        broker version (default 4.1.2)
#   ROTOR_KAFKA_HEAP           broker heap flags (default "-Xms64m -Xmx512m")
#   ROTOR_KAFKA_JVM_OPTS       more broker JVM flags, appended
#   ROTOR_KAFKA_AUTO_CREATE    auto.create.topics.enable (default false)
#   ROTOR_KAFKA_START_TIMEOUT  seconds to wait for the broker to serve (default 120)
#   ROTOR_KAFKA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 30)
#   ROTOR_KAFKA_CDS            0: no class-data-sharing archive (default 1: the first broker
#                              that stops cleanly writes one; later brokers start faster)
#   JAVA_HOME                  Java 17+ to use (default: java on PATH)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAFKA_VERSION=${ROTOR_KAFKA_VERSION:-4.1.2}
KHOME=${ROTOR_KAFKA_HOME:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/rotor-kafka}
LIB=$KHOME/$KAFKA_VERSION/lib
TEMPLATE=$KHOME/$KAFKA_VERSION/storage-template   # formatted once by install
CDS=$KHOME/$KAFKA_VERSION/cds                      # class-data-sharing archive of the broker
M2=$KHOME/m2
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
read -r -a HEAP <<<"${ROTOR_KAFKA_HEAP:--Xms64m -Xmx512m}"
AUTO_CREATE=${ROTOR_KAFKA_AUTO_CREATE:-false}
START_TIMEOUT=${ROTOR_KAFKA_START_TIMEOUT:-120}
STOP_TIMEOUT=${ROTOR_KAFKA_STOP_TIMEOUT:-30}
USE_CDS=${ROTOR_KAFKA_CDS:-1}

# Broker JVM, for a 2-core machine shared with C++ builds: small heap, serial GC
# (few threads; pauses are tiny at this heap size), C1 JIT only (about 40% less
# CPU to start; plenty for tests; for benchmarks pass
# ROTOR_KAFKA_JVM_OPTS=-XX:TieredStopAtLevel=4), and a class-data-sharing
# archive of the broker's classes (about 30% less again). A broker started
# without the archive writes it as it exits (-XX:ArchiveClassesAtExit): the
# first clean stop after an install takes a few seconds longer.
read -r -a EXTRA_JVM <<<"${ROTOR_KAFKA_JVM_OPTS:-}"
BROKER_JVM=(-server "${HEAP[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
  -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Djava.awt.headless=true -Xlog:cds=off
  -Xlog:cds+dynamic=off ${EXTRA_JVM[@]+"${EXTRA_JVM[@]}"})
# Short-lived tools (StorageTool, TopicCommand): C1 only, starts faster.
TOOL_JVM=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$HERE/tools-log4j2.yaml")

log() { printf 'kafka: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

java_major() {  # JAVA -> major version on stdout (8, 11, 17, ...)
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { v = $2; sub(/^1\./, "", v); print int(v); exit }'
}

find_java() {  # sets JAVA to a Java 17+ binary, or returns 1
  local c
  for c in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" \
           /usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/*/bin/java; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    if [ "$(java_major "$c")" -ge 17 ] 2>/dev/null; then JAVA=$c; return 0; fi
  done
  return 1
}

ensure_tools() {  # java 17+, mvn (only when $1 = mvn), kcat
  local need=()
  find_java || need+=(default-jre-headless)
  if [ "${1:-}" = mvn ] && ! command -v mvn >/dev/null; then need+=(maven); fi
  command -v kcat >/dev/null || need+=(kcat)
  [ ${#need[@]} -eq 0 ] && return 0
  apt_install "${need[@]}"
  find_java || die "no Java 17+ found (Kafka ${KAFKA_VERSION%%.*}.x needs Java 17); set JAVA_HOME"
}

installed() {  # the jar set in $LIB matches this pom.xml and version; storage template made
  [ -f "$LIB/.stamp" ] && [ -f "$LIB/kafka_2.13-$KAFKA_VERSION.jar" ] &&
    [ "$(cat "$LIB/.stamp")" = "$(stamp)" ] && [ -f "$TEMPLATE/.stamp" ] &&
    [ "$(cat "$TEMPLATE/.stamp")" = "$(stamp)" ]
}
stamp() { { echo "$KAFKA_VERSION"; cat "$HERE/pom.xml"; } | sha256sum | cut -d' ' -f1; }

cmd_install() {
  install_jars
}

install_jars() {
  if installed && find_java && command -v kcat >/dev/null; then return 0; fi
  ensure_tools mvn
  mkdir -p "$KHOME"
  exec 8>"$KHOME/.install.lock"
  flock 8                                   # concurrent installs wait for the first
  if installed; then exec 8>&-; return 0; fi
  local t0 tmp try
  t0=$(now)
  if [ -f "$LIB/.stamp" ] && [ "$(cat "$LIB/.stamp")" = "$(stamp)" ]; then
    make_template
    exec 8>&-
    return 0
  fi
  tmp=$(mktemp -d "$KHOME/.lib.XXXXXX")
  log "resolving Kafka $KAFKA_VERSION with Maven into $LIB"
  for try in 1 2; do
    if mvn -B -Dstyle.color=never -f "$HERE/pom.xml" -Dmaven.repo.local="$M2" \
         -Dkafka.version="$KAFKA_VERSION" "$DEP_PLUGIN:copy-dependencies" \
         -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KHOME/install.log" 2>&1; then
      break
    fi
    grep -E 'ERROR|FAIL' "$KHOME/install.log" | head -n 20 >&2 || tail -n 20 "$KHOME/install.log" >&2
    [ "$try" = 2 ] && { rm -rf "$tmp"; die "mvn failed to resolve Kafka $KAFKA_VERSION (log: $KHOME/install.log)"; }
    log "mvn failed; retrying once"; sleep 3
  done
  ls "$tmp/kafka_2.13-$KAFKA_VERSION.jar" "$tmp/kafka-tools-$KAFKA_VERSION.jar" \
     "$tmp"/log4j-core-*.jar "$tmp"/log4j-slf4j-impl-*.jar >/dev/null ||
    { rm -rf "$tmp"; die "resolved jar set is incomplete"; }
  ls "$tmp"/slf4j-api-1.* >/dev/null 2>&1 ||
    log "warning: slf4j-api is not 1.x; the broker may log nothing (use log4j-slf4j2-impl)"
  stamp >"$tmp/.stamp"
  rm -rf "$LIB.old"
  [ -e "$LIB" ] && mv "$LIB" "$LIB.old"
  mkdir -p "$(dirname "$LIB")"
  mv "$tmp" "$LIB"
  rm -rf "$LIB.old" "$CDS"
  make_template
  exec 8>&-
  log "installed Kafka $KAFKA_VERSION ($(ls "$LIB" | wc -l) jars) in $(since "$t0") s"
}

# ---------------------------------------------------------------- ports

port_free() {  # PORT -> 0 if a listener could bind 127.0.0.1:PORT now
  if command -v python3 >/dev/null; then
    python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

pick_ports() {  # -> "PORT CPORT": two distinct free loopback ports, asked of the kernel
  # Chosen at random below the kernel's ephemeral range, so that outgoing
  # connections never take them between this choice and the broker's bind.
  local lo
  lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  if command -v python3 >/dev/null; then
    python3 - "$lo" <<'PY'
import random, socket, sys
lo = int(sys.argv[1])
cands = list(range(10000, lo)) if lo > 12000 else []
random.shuffle(cands)
held, ports = [], []
for p in cands[:500] + [0, 0]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))   # no SO_REUSEADDR: also refuses ports in TIME_WAIT
    except OSError:
        s.close(); continue
    held.append(s); ports.append(s.getsockname()[1])
    if len(ports) == 2: break
print(*ports)
PY
  else
    local p ports=() n
    for n in $(seq 1 200); do
      p=$((10000 + RANDOM % (lo > 12000 ? lo - 10000 : 20000)))
      if port_free "$p" && [[ " ${ports[*]-} " != *" $p "* ]]; then ports+=("$p"); fi
      [ ${#ports[@]} -eq 2 ] && break
    done
    echo "${ports[@]}"
  fi
}

# ---------------------------------------------------------------- broker

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

broker_pid() {  # DIR -> pid of DIR's live broker, or return 1
  local dir=$1 pid st
  [ -f "$dir/kafka.pid" ] || return 1
  pid=$(cat "$dir/kafka.pid")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $dir/server.properties" || return 1
  st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || echo Z)
  [ "$st" != Z ] && [ "$st" != X ] || return 1
  echo "$pid"
}

serving() {  # ADDR -> 0 if the broker answers a metadata request with itself
  kcat -L -b "$1" -m 5 2>/dev/null | grep -q "broker 1 at $1"
}

render_config() {  # DIR PORT CPORT
  sed -e "s#@DATA_DIR@#$1/data#g" -e "s#@PORT@#$2#g" -e "s#@CPORT@#$3#g" \
      -e "s#@AUTO_CREATE@#$AUTO_CREATE#g" "$HERE/server.properties.in" >"$1/server.properties"
}

new_uuid() {
  # As org.apache.kafka.common.Uuid.randomUuid() (`kafka-storage.sh random-uuid`):
  # 16 random bytes, URL-safe base64 without padding, never starting with '-'.
  local u=-
  while [ "${u:0:1}" = - ]; do
    u=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  done
  echo "$u"
}

make_template() {
  # `kafka-storage.sh format` once per install: its bootstrap.checkpoint holds
  # only the feature levels (metadata.version etc.), the same for every broker of
  # this version and config; format_storage copies it and gives each broker its
  # own cluster and directory ids. Saves a JVM start (~2 CPU-s) per new broker.
  local t=$TEMPLATE.tmp.$$
  find_java || die "no Java 17+"
  rm -rf "$t" && mkdir -p "$t"
  AUTO_CREATE=false render_config "$t" 1 2
  sed -i "s#^log.dirs=.*#log.dirs=$t/data#" "$t/server.properties"
  "$JAVA" "${TOOL_JVM[@]}" -cp "$LIB/*" kafka.tools.StorageTool format \
    --cluster-id "$(new_uuid)" --config "$t/server.properties" >&2 ||
    { rm -rf "$t"; die "kafka.tools.StorageTool format failed"; }
  [ -f "$t/data/meta.properties" ] && [ -f "$t/data/bootstrap.checkpoint" ] ||
    { rm -rf "$t"; die "StorageTool format wrote no meta.properties/bootstrap.checkpoint"; }
  mv "$t/data" "$t/storage" && rm -f "$t/server.properties"
  stamp >"$t/.stamp"
  rm -rf "$TEMPLATE" && mv "$t" "$TEMPLATE"
}

format_storage() {  # DIR: DIR/data as `kafka-storage.sh format` would leave it
  rm -rf "$1/data" && mkdir -p "$1/data"
  cp "$TEMPLATE/storage/bootstrap.checkpoint" "$1/data/"
  sed -e "s/^cluster.id=.*/cluster.id=$(new_uuid)/" -e "s/^directory.id=.*/directory.id=$(new_uuid)/" \
      "$TEMPLATE/storage/meta.properties" >"$1/data/meta.properties"
}

launch() {  # DIR PORT -> 0 serving, 1 failed, 2 failed to bind a port
  local dir=$1 port=$2 addr="127.0.0.1:$2" pid off deadline started='' cds=() dump=''
  mkdir -p "$dir/logs" "$CDS"
  rm -f "$dir/cds-pending"
  if [ "$USE_CDS" = 0 ]; then
    :
  elif [ -s "$CDS/broker.jsa" ] && [ "$(cat "$CDS/id" 2>/dev/null)" = "$(cds_id)" ]; then
    cds=("-XX:SharedArchiveFile=$CDS/broker.jsa")
  else
    dump=$CDS/broker.jsa.$$.$RANDOM
    cds=("-XX:ArchiveClassesAtExit=$dump")
  fi
  off=$(stat -c %s "$dir/logs/server.log" 2>/dev/null || echo 0)
  echo "=== kafka.sh start $(date -u +%FT%TZ) on $addr" >>"$dir/logs/server.log"
  # The broker outlives this script and the terminal (setsid, nohup) and keeps
  # no descriptor but the log: not our locks (fds 8, 9), nor a caller's pipe,
  # so `addr=$(kafka.sh start DIR)` or a test runner never waits on it.
  (
    for fd in "/proc/$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec setsid nohup "$JAVA" "${BROKER_JVM[@]}" ${cds[@]+"${cds[@]}"} \
      "-Dlog4j2.configurationFile=$HERE/log4j2.yaml" "-Dkafka.logs.dir=$dir/logs" \
      -cp "$LIB/*" kafka.Kafka "$dir/server.properties"
  ) >>"$dir/logs/server.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"
  [ -n "$dump" ] && echo "$dump" >"$dir/cds-pending"
  deadline=$(($(date +%s) + START_TIMEOUT))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -c +$((off + 1)) "$dir/logs/server.log" | tail -n 40 >&2
      rm -f "$dir/kafka.pid"
      if tail -c +$((off + 1)) "$dir/logs/server.log" | grep -q 'Address already in use'; then
        return 2
      fi
      log "broker exited during startup (log: $dir/logs/server.log)"
      return 1
    fi
    # KafkaRaftServer logs this once the broker is unfenced and serving requests.
    if [ -z "$started" ] && tail -c +$((off + 1)) "$dir/logs/server.log" | grep -q 'Kafka Server started'; then
      started=1
    fi
    if [ -n "$started" ] && serving "$addr"; then return 0; fi
    sleep 0.25
  done
  log "broker did not serve within ${START_TIMEOUT}s; stopping it (log: $dir/logs/server.log)"
  tail -c +$((off + 1)) "$dir/logs/server.log" | tail -n 40 >&2
  stop_pid "$dir" "$pid"
  return 1
}

cmd_start() {
  local dir pid port cport t0 try rc
  [ $# -eq 1 ] || die "usage: kafka.sh start DIR"
  dir=$(abs_dir "$1")
  t0=$(now)
  cmd_install
  find_java || die "no Java 17+"
  exec 9>"$dir/.lock"
  flock 9
  if pid=$(broker_pid "$dir"); then
    if [ -f "$dir/bootstrap" ] && serving "$(cat "$dir/bootstrap")"; then
      log "already running (pid $pid)"
      cat "$dir/bootstrap"
      return 0
    fi
    die "a broker (pid $pid) runs for $dir but does not serve; run: kafka.sh stop $dir"
  fi
  if [ -f "$dir/data/meta.properties" ] && [ -f "$dir/ports" ]; then
    # Formatted before: come back on the same ports (clients keep their bootstrap).
    read -r port cport <"$dir/ports"
    local deadline=$(($(date +%s) + 15))   # a just-stopped broker's sockets may linger
    while [ "$(date +%s)" -lt "$deadline" ]; do
      port_free "$port" && port_free "$cport" && break
      sleep 0.25
    done
    port_free "$port" && port_free "$cport" ||
      die "port $port or $cport of $dir is taken by another process; cannot restart on the same address"
    render_config "$dir" "$port" "$cport"
    launch "$dir" "$port" || die "broker failed to start"
  else
    rm -rf "$dir/data" "$dir/ports" "$dir/bootstrap"
    for try in 1 2 3; do
      read -r port cport < <(pick_ports)
      [ -n "${cport:-}" ] || die "could not find two free loopback ports"
      render_config "$dir" "$port" "$cport"
      format_storage "$dir"
      echo "$port $cport" >"$dir/ports"
      rc=0; launch "$dir" "$port" || rc=$?
      [ $rc -eq 0 ] && break
      [ $rc -eq 2 ] && [ $try -lt 3 ] || die "broker failed to start"
      log "port $port or $cport was taken meanwhile; trying other ports"
      rm -rf "$dir/data" "$dir/ports"
    done
  fi
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  log "Kafka $KAFKA_VERSION serving on 127.0.0.1:$port (controller $cport, pid $(cat "$dir/kafka.pid")) after $(since "$t0") s, broker CPU $(cpu_secs "$(cat "$dir/kafka.pid")") s"
  echo "127.0.0.1:$port"
}

cpu_secs() {  # PID -> user+system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}

cds_id() {  # what an archive depends on: the JVM build and the exact classpath
  local j
  j=$(readlink -f "$JAVA")
  echo "$j $(stat -c '%s %Y' "$j") $LIB $(cat "$LIB/.stamp" 2>/dev/null)"
}

stop_pid() {  # DIR PID
  local dir=$1 pid=$2 deadline killed='' dump grace=$STOP_TIMEOUT
  # Writing the class-data-sharing archive at exit takes seconds more on a busy machine.
  [ -f "$dir/cds-pending" ] && [ "$grace" -lt 90 ] && grace=90
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(($(date +%s) + grace))
  while broker_pid "$dir" >/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  if broker_pid "$dir" >/dev/null; then
    log "no exit ${grace}s after SIGTERM; sending SIGKILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$(($(date +%s) + 10))
    while broker_pid "$dir" >/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    broker_pid "$dir" >/dev/null && die "pid $pid survived SIGKILL"
    killed=1
  fi
  rm -f "$dir/kafka.pid"
  # A broker started without a class-data-sharing archive writes one as it
  # exits; publish it if the exit was clean (the JVM checks it before use).
  if [ -f "$dir/cds-pending" ]; then
    dump=$(cat "$dir/cds-pending")
    rm -f "$dir/cds-pending"
    if [ -z "$killed" ] && [ -s "$dump" ]; then
      find_java && cds_id >"$CDS/id" && mv -f "$dump" "$CDS/broker.jsa"
    else
      rm -f "$dump"
    fi
  fi
}

cmd_stop() {
  local dir pid t0
  [ $# -eq 1 ] || die "usage: kafka.sh stop DIR"
  [ -d "$1" ] || { log "no such directory $1: nothing to stop"; return 0; }
  dir=$(abs_dir "$1")
  exec 9>"$dir/.lock"
  flock 9
  if ! pid=$(broker_pid "$dir"); then
    rm -f "$dir/kafka.pid"
    log "not running ($dir)"
    return 0
  fi
  t0=$(now)
  stop_pid "$dir" "$pid"
  log "stopped pid $pid in $(since "$t0") s"
}

cmd_restart() {
  [ $# -eq 1 ] || die "usage: kafka.sh restart DIR"
  [ -f "$1/data/meta.properties" ] && [ -f "$1/ports" ] ||
    die "$1 holds no formatted broker; use: kafka.sh start $1"
  cmd_stop "$1"
  exec 9>&-
  cmd_start "$1"
}

cmd_status() {
  local dir pid addr
  [ $# -eq 1 ] || die "usage: kafka.sh status DIR"
  [ -d "$1" ] || { echo "stopped"; return 3; }
  dir=$(abs_dir "$1")
  addr=$(cat "$dir/bootstrap" 2>/dev/null || true)
  if ! pid=$(broker_pid "$dir"); then echo "stopped${addr:+ (last bootstrap $addr)}"; return 3; fi
  if [ -n "$addr" ] && serving "$addr"; then echo "serving $addr pid $pid"; return 0; fi
  echo "running pid $pid, not serving${addr:+ on $addr}"
  return 1
}

bootstrap_of() {  # DIR -> serving bootstrap address
  local addr
  addr=$(cat "$1/bootstrap" 2>/dev/null) || die "$1 has no bootstrap: run kafka.sh start $1"
  broker_pid "$(abs_dir "$1")" >/dev/null || die "no broker runs for $1: run kafka.sh start $1"
  echo "$addr"
}

cmd_run_class() {
  [ $# -ge 2 ] || die "usage: kafka.sh run-class DIR CLASS [ARGS...]"
  local dir=$1 cls=$2 addr a args=()
  shift 2
  addr=$(bootstrap_of "$dir")
  cmd_install
  find_java || die "no Java 17+"
  for a in "$@"; do args+=("${a//@BOOTSTRAP@/$addr}"); done
  "$JAVA" "${TOOL_JVM[@]}" -cp "$LIB/*" "$cls" "${args[@]}"
}

cmd_create_topic() {
  [ $# -ge 3 ] || die "usage: kafka.sh create-topic DIR NAME PARTITIONS [KEY=VALUE...]"
  local dir=$1 name=$2 parts=$3 addr cfg=() kv md
  shift 3
  [[ "$parts" =~ ^[1-9][0-9]*$ ]] || die "PARTITIONS must be a positive number"
  for kv in "$@"; do cfg+=(--config "$kv"); done
  addr=$(bootstrap_of "$dir")
  # kcat (librdkafka 2.0.2) has no admin API, so Kafka's own TopicCommand
  # (kafka-topics.sh; org.apache.kafka.tools.TopicCommand since Kafka 3.5).
  cmd_run_class "$dir" org.apache.kafka.tools.TopicCommand --bootstrap-server "$addr" \
    --create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 \
    "${cfg[@]}" >&2
  # The broker's metadata cache can lag the controller by a moment: wait until
  # every partition has a leader, as a client would see it.
  for _ in $(seq 1 80); do
    md=$(kcat -L -b "$addr" -t "$name" -m 5 2>/dev/null || true)
    if grep -q "topic \"$name\" with " <<<"$md" && ! grep -q 'leader -1' <<<"$md"; then
      grep -q "topic \"$name\" with $parts partitions" <<<"$md" ||
        die "topic $name already exists with another partition count: $(grep "topic \"$name\"" <<<"$md")"
      return 0
    fi
    sleep 0.25
  done
  die "topic $name has no leader for every partition 20 s after creation"
}

cmd_smoke() {  # end-to-end check with kcat (the same librdkafka as Rotor)
  [ $# -eq 1 ] || die "usage: kafka.sh smoke DIR"
  local dir=$1 addr t n
  addr=$(cmd_start "$dir")
  t=smoke-$$-$RANDOM
  cmd_create_topic "$dir" "$t" 3
  seq 1 100 | kcat -P -b "$addr" -t "$t" -p 0 -X enable.idempotence=true -z lz4 ||
    die "idempotent produce failed"
  seq 101 200 | kcat -P -b "$addr" -t "$t" -p -1 || die "produce failed"
  n=$(kcat -C -b "$addr" -t "$t" -o beginning -e -q | wc -l)
  [ "$n" -eq 200 ] || die "consumed $n records, expected 200"
  n=$(timeout 60 kcat -b "$addr" -G "$t-group" -X auto.offset.reset=earliest -e -q "$t" | wc -l)
  [ "$n" -eq 200 ] || die "consumer group read $n records, expected 200"
  log "smoke OK on $addr: topic $t, 200 records (idempotent, lz4), consumer group"
  # Transactions need the C API (kcat has none): build txn_check.c if we can.
  if command -v cc >/dev/null && pkg-config --exists rdkafka 2>/dev/null; then
    local bin
    bin=$(abs_dir "$dir")/txn_check
    # shellcheck disable=SC2046  # pkg-config prints several words on purpose
    cc -O1 -o "$bin" "$HERE/txn_check.c" $(pkg-config --cflags --libs rdkafka) ||
      die "could not build txn_check.c"
    cmd_create_topic "$dir" "$t-txn" 2
    timeout 120 "$bin" "$addr" "$t-txn" >&2 || die "transaction check failed"
    log "smoke OK: transactions (commit, abort, read_committed, offsets in a transaction)"
  else
    log "smoke: transactions not checked (needs cc and librdkafka-dev)"
  fi
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2; }

case "${1:-}" in
  install) shift; [ $# -eq 0 ] || usage; cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  status) shift; cmd_status "$@" ;;
  create-topic) shift; cmd_create_topic "$@" ;;
  run-class) shift; cmd_run_class "$@" ;;
  smoke) shift; cmd_smoke "$@" ;;
  *) usage ;;
esac
