#!/usr/bin/env bash
# The whole service on one machine with only a JDK 17+: a real single-node Kafka broker (KRaft, its own JVM),
# the three topics, the GaussDB simulator as the cloud (its own JVM), the service in the local profile, and the API reference's
# example request with a recent restore_time, whose results are printed as they arrive. Ctrl-C stops
# everything this script started.
#
#   deploy/local-stack.sh              run until Ctrl-C
#   deploy/local-stack.sh --headless   stop once the example request reached its final result (for CI)
#   deploy/local-stack.sh --no-build   use the service jar already in target/
#
# Ports and folders: LOCAL_KAFKA_PORT (9092), LOCAL_CONTROLLER_PORT (9093), LOCAL_HTTP_PORT (8080),
# LOCAL_MANAGEMENT_PORT (9000: health and metrics), LOCAL_SIMULATOR_PORT (8090), LOCAL_STACK_DIR (.local-stack).
# The simulator takes its SIMULATOR_* settings from the environment (src/simulator/README.md).
# The HTTP API needs a credential: the stack makes a fresh local API key at each start, prints it, and keeps it
# in $LOCAL_STACK_DIR/api-key for deploy/send-request.sh --http. LOCAL_SAMPLE_UNTIL: the status that ends the example (COMPLETED);
# SIMULATOR_JOB_DURATION: how long the simulated restore job runs (PT20S).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${LOCAL_STACK_DIR:-$ROOT/.local-stack}"
KAFKA_PORT="${LOCAL_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${LOCAL_CONTROLLER_PORT:-9093}"
HTTP_PORT="${LOCAL_HTTP_PORT:-8080}"
MANAGEMENT_PORT="${LOCAL_MANAGEMENT_PORT:-9000}"
SIMULATOR_PORT="${LOCAL_SIMULATOR_PORT:-8090}"
SAMPLE_UNTIL="${LOCAL_SAMPLE_UNTIL:-COMPLETED}"
REQUESTS_TOPIC="${RESTORE_REQUESTS_TOPIC:-gaussdb-restore-requests}"
RESULTS_TOPIC="${RESTORE_RESULTS_TOPIC:-gaussdb-restore-results}"
DLQ_TOPIC="${RESTORE_DLQ_TOPIC:-gaussdb-restore-requests-dlq}"
HEADLESS=false
BUILD=true
for arg in "$@"; do
  case "$arg" in
    --headless) HEADLESS=true ;;
    --no-build) BUILD=false ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 64 ;;
  esac
done

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { say "ERROR: $*" >&2; exit 1; }

KAFKA_PID=""
SERVICE_PID=""
SIMULATOR_PID=""
stop_pid() {
  local pid="$1" name="$2"
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { say "stopped $name (pid $pid)"; return 0; }; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  say "killed $name (pid $pid)"
}
cleanup() {
  trap - EXIT INT TERM
  stop_pid "$SERVICE_PID" service
  stop_pid "$SIMULATOR_PID" "gaussdb simulator"
  stop_pid "$KAFKA_PID" "kafka broker"
  rm -f "$STACK_DIR/stack.env"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_status() {
  # A plain HTTP GET over bash's /dev/tcp, so that curl is not needed.
  local path="$1" line
  exec 4<>"/dev/tcp/127.0.0.1/$MANAGEMENT_PORT" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&4
  IFS= read -r line <&4 || true
  exec 4>&- 4<&-
  echo "$line" | awk '{print $2}'
}

# --- checks -----------------------------------------------------------------------------------------
command -v java >/dev/null || fail "java is not on the PATH; install a JDK 17 or newer"
JAVA_MAJOR=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[ "${JAVA_MAJOR%%.*}" -ge 17 ] 2>/dev/null || fail "java $JAVA_MAJOR is too old; JDK 17 or newer is needed"
for port in "$KAFKA_PORT" "$CONTROLLER_PORT" "$HTTP_PORT" "$MANAGEMENT_PORT" "$SIMULATOR_PORT"; do
  port_taken "$port" && fail "port $port is in use; set LOCAL_KAFKA_PORT, LOCAL_CONTROLLER_PORT, LOCAL_HTTP_PORT, LOCAL_MANAGEMENT_PORT or LOCAL_SIMULATOR_PORT"
done
mkdir -p "$STACK_DIR"
START=$(date +%s)

# --- build ------------------------------------------------------------------------------------------
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
SIMULATOR_DIR="$ROOT/target/simulator"
if $BUILD; then
  if [ ! -f "$JAR" ] || ! ls "$SIMULATOR_DIR"/*-simulator.jar >/dev/null 2>&1 \
      || [ -n "$(find "$ROOT/src/main" "$ROOT/src/simulator" "$ROOT/pom.xml" -newer "$JAR" -print -quit)" ]; then
    say "building the service and the simulator (first time: a few minutes for downloads)"
    (cd "$ROOT" && ./mvnw -B -ntp -q package -DskipTests) || fail "the build failed"
  fi
fi
[ -f "$JAR" ] || fail "no service jar at $JAR; run without --no-build"
ls "$SIMULATOR_DIR"/*-simulator.jar >/dev/null 2>&1 || fail "no simulator in $SIMULATOR_DIR; run without --no-build"

# --- the GaussDB simulator: the cloud of this stack, a JVM of its own ---------------------------------
SIMULATOR_PORT="$SIMULATOR_PORT" SIMULATOR_JOB_DURATION="${SIMULATOR_JOB_DURATION:-PT20S}" \
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$SIMULATOR_DIR/*" io.gaussrestore.simulator.SimulatorMain \
  > "$STACK_DIR/simulator.log" 2>&1 &
SIMULATOR_PID=$!
say "starting the GaussDB simulator on http://127.0.0.1:$SIMULATOR_PORT (pid $SIMULATOR_PID, log $STACK_DIR/simulator.log)"

CLASSPATH_FILE="$STACK_DIR/kafka.classpath"
if [ ! -s "$CLASSPATH_FILE" ] || [ "$ROOT/deploy/local/pom.xml" -nt "$CLASSPATH_FILE" ]; then
  say "resolving the Kafka 4.1.2 broker jars"
  (cd "$ROOT" && ./mvnw -B -ntp -q -f deploy/local/pom.xml dependency:build-classpath \
      -Dmdep.outputFile="$CLASSPATH_FILE") || fail "could not resolve the Kafka broker jars"
fi
KAFKA_CP="$(cat "$CLASSPATH_FILE")"

# --- Kafka ------------------------------------------------------------------------------------------
DATA="$STACK_DIR/kafka-data"
PROPS="$STACK_DIR/server.properties"
if [ -f "$DATA/.ports" ] && [ "$(cat "$DATA/.ports")" != "$KAFKA_PORT:$CONTROLLER_PORT" ]; then
  say "ports changed since the last run: starting with an empty broker"
  rm -rf "$DATA"
fi
mkdir -p "$DATA"
cat > "$PROPS" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/logs
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
KAFKA_JAVA=(java -Xmx512m -XX:+UseSerialGC -Dkafka.logs.dir="$STACK_DIR"
  -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2.properties" -cp "$KAFKA_CP")
if [ ! -f "$DATA/logs/meta.properties" ]; then
  CLUSTER_ID=""
  while [ -z "$CLUSTER_ID" ] || [ "${CLUSTER_ID:0:1}" = "-" ]; do
    CLUSTER_ID=$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid | tail -n 1)
  done
  "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$PROPS" >/dev/null \
    || fail "could not format the Kafka storage in $DATA"
  echo "$KAFKA_PORT:$CONTROLLER_PORT" > "$DATA/.ports"
fi
: > "$STACK_DIR/broker.log"
"${KAFKA_JAVA[@]}" kafka.Kafka "$PROPS" > "$STACK_DIR/broker.out" 2>&1 &
KAFKA_PID=$!
say "starting Kafka 4.1.2 on 127.0.0.1:$KAFKA_PORT (pid $KAFKA_PID, log $STACK_DIR/broker.log)"
for _ in $(seq 1 120); do
  grep -q "Kafka Server started" "$STACK_DIR/broker.log" 2>/dev/null && break
  kill -0 "$KAFKA_PID" 2>/dev/null || fail "Kafka stopped; see $STACK_DIR/broker.log and broker.out"
  sleep 0.5
done
grep -q "Kafka Server started" "$STACK_DIR/broker.log" || fail "Kafka did not start within 60 s"
java -cp "$KAFKA_CP" "$ROOT/deploy/local/StackClient.java" create-topics "127.0.0.1:$KAFKA_PORT" \
  "$REQUESTS_TOPIC" "$RESULTS_TOPIC" "$DLQ_TOPIC" | while read -r line; do say "$line"; done

# --- a local API key: only its hash is given to the service --------------------------------------------
API_KEY_FILE="$STACK_DIR/api-key"
( umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$API_KEY_FILE" )
printf 'sha256:%s local-operator restore-requester,restore-viewer\n' \
  "$(tr -d '\n' < "$API_KEY_FILE" | sha256sum | cut -c1-64)" > "$STACK_DIR/api-keys"

# --- the service ------------------------------------------------------------------------------------
# The production JVM options, with the memory the Kubernetes manifest allows (512Mi) as if it were a container,
# and a class archive as the image has: written when the service stops, used by the starts after (per build).
ARCHIVE="$STACK_DIR/app-$(stat -c %Y "$JAR").jsa"
if [ -f "$ARCHIVE" ]; then CLASS_ARCHIVE=(-XX:SharedArchiveFile="$ARCHIVE" -Xshare:auto)
else rm -f "$STACK_DIR"/app-*.jsa; CLASS_ARCHIVE=(-XX:ArchiveClassesAtExit="$ARCHIVE"); fi
grep -q "listening" "$STACK_DIR/simulator.log" 2>/dev/null || for _ in $(seq 1 60); do
  grep -q "listening" "$STACK_DIR/simulator.log" 2>/dev/null && break
  kill -0 "$SIMULATOR_PID" 2>/dev/null || fail "the simulator stopped; see $STACK_DIR/simulator.log"
  sleep 0.25
done
grep -q "listening" "$STACK_DIR/simulator.log" || fail "the simulator did not start within 15 s; see $STACK_DIR/simulator.log"
KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" QUARKUS_HTTP_PORT="$HTTP_PORT" \
  GAUSSDB_ENDPOINT="${GAUSSDB_ENDPOINT:-http://127.0.0.1:$SIMULATOR_PORT}" \
  QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" RESTORE_API_KEYS_FILE="$STACK_DIR/api-keys" \
  RESTORE_LEDGER_DIR="${RESTORE_LEDGER_DIR:-$STACK_DIR/ledger}" \
  java @"$ROOT/docker/jvm.options" -XX:MaxRAM=512m "${CLASS_ARCHIVE[@]}" -Dquarkus.profile=local -jar "$JAR" \
  > "$STACK_DIR/service.log" 2>&1 &
SERVICE_PID=$!
say "starting the service on http://localhost:$HTTP_PORT (pid $SERVICE_PID, log $STACK_DIR/service.log)"
for _ in $(seq 1 120); do
  [ "$(http_status /q/health/ready 2>/dev/null)" = "200" ] && break
  kill -0 "$SERVICE_PID" 2>/dev/null || fail "the service stopped; see $STACK_DIR/service.log"
  sleep 0.5
done
[ "$(http_status /q/health/ready 2>/dev/null)" = "200" ] || fail "the service was not ready within 60 s"
say "ready in $(( $(date +%s) - START )) s; health and metrics on http://localhost:$MANAGEMENT_PORT/q/health and /q/metrics"
say "local API key (this stack only, new at each start): $(cat "$API_KEY_FILE")"
say "  e.g. curl -H \"X-API-Key: \$(cat $API_KEY_FILE)\" http://localhost:$HTTP_PORT/restores"
say "console: http://localhost:$HTTP_PORT/console (sign in with the local API key above)"
cat > "$STACK_DIR/stack.env" <<EOF
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
HTTP_PORT=$HTTP_PORT
MANAGEMENT_PORT=$MANAGEMENT_PORT
SIMULATOR_PORT=$SIMULATOR_PORT
API_KEY_FILE=$API_KEY_FILE
KAFKA_CP_FILE=$CLASSPATH_FILE
REQUESTS_TOPIC=$REQUESTS_TOPIC
RESULTS_TOPIC=$RESULTS_TOPIC
EOF
echo "$KAFKA_PID $SERVICE_PID $SIMULATOR_PID" > "$STACK_DIR/pids"

# --- the example request of the API reference, one hour back --------------------------------------
NOW_MS=$(( $(date +%s) * 1000 ))
SAMPLE="$STACK_DIR/example-request.json"
cat > "$SAMPLE" <<EOF
{
  "request_id": "example-$(date +%s)",
  "project_id": "97b026aa9cc4417888c14c84a1ad9860",
  "instance_id": "61a4ea66210545909d74a05c27a7179ein07",
  "restore_time": $(( NOW_MS - 3600 * 1000 )),
  "last_table_info": true,
  "restore_tables": [
    {"database": "test_db_1", "tables": [{"old_name": "t3", "new_name": "t3_$NOW_MS"}]}
  ],
  "requested_by": "local-stack",
  "reason": "the example of the API reference"
}
EOF
set +e
java -cp "$KAFKA_CP" "$ROOT/deploy/local/StackClient.java" request "127.0.0.1:$KAFKA_PORT" \
  "$REQUESTS_TOPIC" "$RESULTS_TOPIC" "$SAMPLE" "$SAMPLE_UNTIL" 120
SAMPLE_EXIT=$?
set -e
say "the example request ended (exit $SAMPLE_EXIT) $(( $(date +%s) - START )) s after the start"

if $HEADLESS; then
  [ "$SAMPLE_EXIT" -eq 0 ] || exit "$SAMPLE_EXIT"
  # The same restore through the HTTP door with the local key, as deploy/send-request.sh --http sends it.
  sed -e 's/"request_id": "example-/"request_id": "http-example-/' -e '/"requested_by"/d' "$SAMPLE" > "$SAMPLE.http"
  set +e
  java -cp "$KAFKA_CP" "$ROOT/deploy/local/StackClient.java" http "http://127.0.0.1:$HTTP_PORT" "$API_KEY_FILE" \
    "127.0.0.1:$KAFKA_PORT" "$RESULTS_TOPIC" "$SAMPLE.http" "DUPLICATE,SUBMITTED,QUEUED" 120
  HTTP_EXIT=$?
  set -e
  say "the example sent over HTTP ended (exit $HTTP_EXIT)"
  exit "$HTTP_EXIT"
fi
say "the stack keeps running: send your own request with deploy/send-request.sh (see --help); Ctrl-C stops it"
wait "$SERVICE_PID"
