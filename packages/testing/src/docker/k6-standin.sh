#!/bin/sh
# tstr's k6 stand-in, for tests where k6 cannot be installed. NOT k6: it runs no load.
#
# It reads the flags tstr's runner passes to `k6 run`, copies recorded outputs of the real k6
# (fixture files) to where k6 would write them (`--summary-export PATH`, `--out json=PATH`),
# prints a few lines like k6 and exits with K6_STANDIN_EXIT (default 0).
#
#   K6_STANDIN_SUMMARY, K6_STANDIN_NDJSON  fixture file names (unset: that output is not written)
#   K6_STANDIN_EXIT                        exit code (99 = k6's "thresholds failed")
#   ..._<i>                                per shard, i = the position of the start of
#                                          --execution-segment in --execution-segment-sequence
#   K6_STANDIN_SLEEP                       seconds to wait before finishing
#   K6_STANDIN_PRINT_ENV                   names of variables to echo (to see run_config.env arrive)
#   K6_STANDIN_FIXTURES                    fixture folder, searched with its subfolders (/k6-fixtures)
#
# POSIX sh only: it runs on busybox in the stand-in image and on a host's /bin/sh alike.
set -eu
fixtures="${K6_STANDIN_FIXTURES:-/k6-fixtures}"
if [ "${1:-}" != "run" ]; then
  echo "k6 stand-in: only 'k6 run' is supported, got: $*" >&2
  exit 2
fi
shift
summary_path=""; ndjson_path=""; segment=""; sequence=""; script=""; options=""
while [ $# -gt 0 ]; do
  case "$1" in
    --summary-export) summary_path="${2:-}"; shift ;;
    --summary-export=*) summary_path="${1#*=}" ;;
    --out) case "${2:-}" in json=*) ndjson_path="${2#json=}" ;; esac; shift ;;
    --out=json=*) ndjson_path="${1#--out=json=}" ;;
    --execution-segment) segment="${2:-}"; shift ;;
    --execution-segment-sequence) sequence="${2:-}"; shift ;;
    --vus|--duration|--iterations|--stage|--rps|--tag|--summary-trend-stats|--env|-u|-d|-i|-s|-e)
      options="$options $1 ${2:-}"; shift ;;
    -*) options="$options $1" ;;
    *) script="$1" ;;
  esac
  shift
done

index=""
if [ -n "$segment" ]; then
  from="${segment%%:*}"; i=0; saved_ifs="$IFS"; IFS=,
  for point in $sequence; do
    if [ "$point" = "$from" ]; then index=$i; fi
    i=$((i + 1))
  done
  IFS="$saved_ifs"
  if [ -z "$index" ]; then
    echo "k6 stand-in: segment $segment does not start at a point of the sequence '$sequence'" >&2
    exit 2
  fi
fi

# pick NAME: $NAME_<shard index> when set, else $NAME.
pick() {
  value=""
  if [ -n "$index" ]; then eval "value=\${$1_$index:-}"; fi
  if [ -z "$value" ]; then eval "value=\${$1:-}"; fi
  printf '%s' "$value"
}

# copy_fixture NAME DEST
copy_fixture() {
  if [ -z "$1" ] || [ -z "$2" ]; then return 0; fi
  for dir in "$fixtures" "$fixtures"/*; do
    if [ -f "$dir/$1" ]; then cat "$dir/$1" > "$2"; return 0; fi
  done
  echo "k6 stand-in: no fixture named $1 under $fixtures" >&2
  exit 2
}

case "$script" in
  http://*|https://*) size="remote" ;;
  "") echo "k6 stand-in: no script given" >&2; exit 2 ;;
  *)
    if [ ! -f "$script" ]; then echo "k6 stand-in: script $script not found in $(pwd)" >&2; exit 2; fi
    size="$(wc -c < "$script" | tr -d ' ') bytes"
    ;;
esac

echo "  execution: local (tstr k6 stand-in: replays recorded k6 outputs, runs no load)"
echo "     script: $script ($size)"
echo "     output: json ($ndjson_path), summary export ($summary_path)"
echo "    options:$options"
if [ -n "$segment" ]; then echo "    segment: $segment of $sequence (shard $index)"; fi
for name in ${K6_STANDIN_PRINT_ENV:-}; do eval "echo \"        env: $name=\${$name:-}\""; done
sleep "${K6_STANDIN_SLEEP:-0}"
copy_fixture "$(pick K6_STANDIN_SUMMARY)" "$summary_path"
copy_fixture "$(pick K6_STANDIN_NDJSON)" "$ndjson_path"
code="$(pick K6_STANDIN_EXIT)"
echo "running (0m01.0s), 0/1 VUs, 1 complete and 0 interrupted iterations"
if [ "${code:-0}" = 99 ]; then
  echo 'level=error msg="thresholds on metrics have been crossed"' >&2
fi
exit "${code:-0}"
