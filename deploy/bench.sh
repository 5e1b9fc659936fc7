#!/usr/bin/env bash
# The benchmark: a Kafka broker in its own JVM, the simulator as a fast fake of the cloud, and the production jar
# with the production JVM options (docker/jvm.options) under the Kubernetes manifest's 512Mi memory limit.
# Scenarios: a sequential baseline (one request at a time, as a plain HTTP sink connector works) and valid
# requests at 0 ms and 300 ms of API latency; a storm of duplicates and one of invalid records on one instance
# while valid requests for other instances arrive; a gateway limit of 300 restore POSTs a minute against a service
# configured at 1,200. Every figure is measured from outside: times from the Kafka timestamps of each request and
# its first result, calls from the simulator's journal, CPU and memory of the service from /proc.
#
#   deploy/bench.sh                 every scenario at full size (about 20 minutes on 2 cores)
#   deploy/bench.sh --quick         a tenth of the records and a 2-minute rate-limit run (a smoke test)
#   deploy/bench.sh --soak          adds a 10-minute run at 100 requests/s that samples resident memory
#
# Output: the table on stdout and in target/bench/results.md, the chart of first results per second in
# target/bench/first-results.svg. Needs a JDK 17+ on Linux (CPU and memory are read from /proc).
set -euo pipefail
cd "$(dirname "$0")/.."

props=()
for arg in "$@"; do
  case "$arg" in
    --quick) props+=(-Dbench.scale=0.1 -Dbench.rate.minutes=2) ;;
    --soak) props+=(-Dbench.soak.minutes=10) ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 64 ;;
  esac
done

mkdir -p target
status=0
./mvnw -B -ntp verify -Dbench=true -Dtest=NoSuchTest -Dit.test=BenchIT -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false "${props[@]}" > target/bench.log 2>&1 || status=$?
if [ -f target/bench/results.md ] && grep -aq "BUILD SUCCESS" target/bench.log; then
  cat target/bench/results.md
  echo
  echo "chart: target/bench/first-results.svg; log: target/bench.log"
else
  grep -a -E "ERROR|FAIL|Exception" target/bench.log | head -30 >&2
  echo "the benchmark failed (exit $status); see target/bench.log" >&2
  exit 1
fi
