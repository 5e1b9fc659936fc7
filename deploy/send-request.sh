#!/usr/bin/env bash
# Sends one restore request to the running local stack (deploy/local-stack.sh) and prints its results.
#
#   deploy/send-request.sh my-request.json
#   deploy/send-request.sh --instance 61a4ea66210545909d74a05c27a7179ein07 --database shop \
#       --table orders:orders_back [--table more:more_back] [--project ID] [--restore-time MS|ISO|-1h]
#       [--last-table-info true|false] [--request-id ID] [--until STATUS[,STATUS]] [--timeout SECONDS]
#       [--http] [--dry-run]
#
# --http sends it through POST /restores with the stack's local API key (requested_by is then the key's
# caller, local-operator) instead of writing it to the request topic. --dry-run asks what would happen.
# A request_id is generated when the request has none. It waits for a final result (COMPLETED, FAILED,
# REJECTED, DUPLICATE, UNKNOWN; or --until) and exits 0 only when the restore got that far.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${LOCAL_STACK_DIR:-$ROOT/.local-stack}"
[ -f "$STACK_DIR/stack.env" ] || { echo "the local stack is not running: start deploy/local-stack.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
. "$STACK_DIR/stack.env"

FILE="" PROJECT="97b026aa9cc4417888c14c84a1ad9860" INSTANCE="" DATABASE="" TABLES=() RESTORE_TIME="-1h"
LAST_TABLE_INFO="false" REQUEST_ID="" UNTIL="COMPLETED" TIMEOUT=600 HTTP=false DRY_RUN=false
while [ $# -gt 0 ]; do
  case "$1" in
    --project) PROJECT="$2"; shift 2 ;;
    --instance) INSTANCE="$2"; shift 2 ;;
    --database) DATABASE="$2"; shift 2 ;;
    --table) TABLES+=("$2"); shift 2 ;;
    --restore-time) RESTORE_TIME="$2"; shift 2 ;;
    --last-table-info) LAST_TABLE_INFO="$2"; shift 2 ;;
    --request-id) REQUEST_ID="$2"; shift 2 ;;
    --until) UNTIL="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --http) HTTP=true; shift ;;
    --dry-run) DRY_RUN=true; UNTIL="DRY_RUN"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (try --help)" >&2; exit 64 ;;
    *) FILE="$1"; shift ;;
  esac
done

OUT="$(mktemp "${TMPDIR:-/tmp}/restore-request.XXXXXX.json")"
trap 'rm -f "$OUT"' EXIT
[ -n "$REQUEST_ID" ] || REQUEST_ID="cli-$(date +%s)-$RANDOM"
if [ -n "$FILE" ]; then
  [ -f "$FILE" ] || { echo "no such file: $FILE" >&2; exit 64; }
  if grep -q '"request_id"' "$FILE"; then
    cp "$FILE" "$OUT"
  else
    # Adds a request_id after the opening brace so that the results can be followed.
    sed '0,/{/s//{"request_id": "'"$REQUEST_ID"'", /' "$FILE" > "$OUT"
  fi
else
  [ -n "$INSTANCE" ] && [ -n "$DATABASE" ] && [ ${#TABLES[@]} -gt 0 ] \
    || { echo "give a JSON file, or --instance, --database and at least one --table old:new" >&2; exit 64; }
  case "$RESTORE_TIME" in
    -*h) RESTORE_TIME=$(( ( $(date +%s) - ${RESTORE_TIME:1:-1} * 3600 ) * 1000 )) ;;
    *[!0-9]*) RESTORE_TIME="\"$RESTORE_TIME\"" ;;
  esac
  TABLE_JSON=""
  for pair in "${TABLES[@]}"; do
    [ -n "$TABLE_JSON" ] && TABLE_JSON="$TABLE_JSON, "
    TABLE_JSON="$TABLE_JSON{\"old_name\": \"${pair%%:*}\", \"new_name\": \"${pair#*:}\"}"
  done
  cat > "$OUT" <<JSON
{"request_id": "$REQUEST_ID", "project_id": "$PROJECT", "instance_id": "$INSTANCE",
 "restore_time": $RESTORE_TIME, "last_table_info": $LAST_TABLE_INFO,
 "restore_tables": [{"database": "$DATABASE", "tables": [$TABLE_JSON]}],
 "reason": "sent by ${USER:-someone} with send-request.sh"}
JSON
fi
if $DRY_RUN; then
  sed -i '0,/{/s//{"dry_run": true, /' "$OUT"
fi
if $HTTP; then
  exec java -cp "$(cat "$KAFKA_CP_FILE")" "$ROOT/deploy/local/StackClient.java" http "http://127.0.0.1:$HTTP_PORT" \
    "$API_KEY_FILE" "$KAFKA_BOOTSTRAP_SERVERS" "$RESULTS_TOPIC" "$OUT" "$UNTIL" "$TIMEOUT"
fi
exec java -cp "$(cat "$KAFKA_CP_FILE")" "$ROOT/deploy/local/StackClient.java" request "$KAFKA_BOOTSTRAP_SERVERS" \
  "$REQUESTS_TOPIC" "$RESULTS_TOPIC" "$OUT" "$UNTIL" "$TIMEOUT"
