#!/usr/bin/env bash
# Fault drills and the full fuzz campaign, on real processes: two replicas of the production jar on a PostgreSQL
# ledger (reached through a proxy the ledger drill cuts), a Kafka broker in its own JVM, the simulator as the
# cloud. Every drill prints its figures, computed from the result topic and the simulator's journal only, and
# the command exits non-zero when a guarantee breaks. Also the recoveries after a killed service
# (QueueRecoveryDrillsIT: the instance line; TrackingRestartDrillsIT: job tracking), and the storm and outage scenarios of the
# Quarkus tests (JUnit tag "drill": 1,000 requests for one busy instance, 200 under a throttling gateway, a cloud
# outage, a backlog on one partition). Not part of the tests.
#
#   deploy/drills.sh            the full drills and the full fuzz campaign (DrillsIT alone took 23 minutes on
#                               2 cores; OutageDrillsIT adds a 15-minute ledger cut)
#   deploy/drills.sh --short    the short sizes (about 13 minutes on 2 cores; CI runs it with --drills)
#   deploy/drills.sh --fuzz     only the fuzz campaign: 100,000 records through the decision functions,
#                               10,000 through the broker and the pipeline, 600 malformed cloud answers
#   deploy/drills.sh --drills   only the drills
#
# Needs a JDK 17+ and a PostgreSQL: the one on 127.0.0.1:5432 (database test), or TEST_POSTGRES_URL,
# TEST_POSTGRES_USER. FUZZ_SEED and DRILLS_SEED choose the random seeds (the defaults are the suite's).
# Figures: target/drills/results.md (one table row per drill run) and the lines starting with DRILL.
set -euo pipefail
cd "$(dirname "$0")/.."

full=true
run_fuzz=true
run_drills=true
for arg in "$@"; do
  case "$arg" in
    --short) full=false ;;
    --fuzz) run_drills=false ;;
    --drills) run_fuzz=false ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 64 ;;
  esac
done

tests="NoSuchTest"
its="NoSuchIT"
props=()
if $run_fuzz; then
  tests="RequestFuzzTest,PipelineFuzzTest,CloudAnswerFuzzTest"
  if $full; then
    props+=(-Dfuzz.cases=100000 -Dfuzz.pipeline.cases=10000 -Dfuzz.cloud.cases=600)
  fi
fi
if $run_drills; then
  # Every *DrillsIT: the fault drills, and the process-kill recoveries of the instance line and of job tracking.
  its="*DrillsIT"
  # The storm and outage scenarios of the Quarkus tests (JUnit tag "drill"), which the test command leaves out.
  storms="InstanceQueueTest#aThousand*,ResilienceTest#twoHundred*+anOutage*,PartitionFairnessTest"
  if [ "$tests" = "NoSuchTest" ]; then tests="$storms"; else tests="$tests,$storms"; fi
  props+=(-Dtest.excluded.groups=none)
  # One stack at a time: two stacks of two replicas each on two cores would drill the machine, not the service.
  props+=(-Ddrills.full=$full -Dit.forks=1)
fi
[ -n "${FUZZ_SEED:-}" ] && props+=(-Dfuzz.seed="$FUZZ_SEED")
[ -n "${DRILLS_SEED:-}" ] && props+=(-Ddrills.seed="$DRILLS_SEED")

# A fresh clone has no target/ yet: the log below must be written from the first line.
mkdir -p target/drills
rm -f target/drills/results.md
status=0
./mvnw -B -ntp verify -Dtest="$tests" -Dit.test="$its" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false "${props[@]}" 2>&1 \
  | tee target/drills.log | grep -a --line-buffered -E "^(DRILL|request fuzzing|pipeline fuzzing|cloud answer fuzzing|instance queue|throttling|outage|partition)|Tests run:|FAIL|BUILD" \
  || true
grep -aq "BUILD SUCCESS" target/drills.log || status=1

echo
if [ -f target/drills/results.md ]; then
  cat target/drills/results.md
fi
if [ "$status" -ne 0 ]; then
  echo "A drill or the fuzz campaign failed: see target/drills.log and target/failsafe-reports/." >&2
fi
exit "$status"
