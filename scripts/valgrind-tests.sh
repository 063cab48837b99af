#!/bin/sh
# valgrind-tests.sh BUILD_DIR - run every C test binary of a build under
# valgrind memcheck (definite leaks and memory errors fail), two at a time.
set -eu
cd "$1"
ls ./*_test_* | grep -v -e "\.vg\.log$" -e "cli_test_cli" | xargs -P 2 -I{} sh -c '
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
       --suppressions=/dev/null {} > {}.vg.log 2>&1; then
    echo "valgrind clean: {} ($(tail -1 {}.vg.log))"
  else
    echo "valgrind FAILED: {}"; tail -40 {}.vg.log; exit 255
  fi'
