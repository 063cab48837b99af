#!/bin/sh
# Every dynamic symbol that libdqp defines must start with dqp_.
set -eu
lib="$1"
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | grep -v '^dqp_' || true)
count=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -c '^dqp_' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the dqp_ prefix:"; echo "$bad"
    echo "0 passed, 1 failed"; exit 1
fi
if [ "$count" -lt 10 ]; then
    echo "only $count dqp_ symbols exported: visibility export macro broken?"
    echo "0 passed, 1 failed"; exit 1
fi
echo "$count dqp_ symbols exported, none other"
echo "1 passed, 0 failed"
