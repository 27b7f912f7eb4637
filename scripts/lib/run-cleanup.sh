# Sourced by scripts/run.sh: what a run started is stopped however it ends (Ctrl-C, TERM or HUP
# to the script, the service exiting or killed with -9). The EXIT trap runs without errexit:
# under `set -e` its first step that "failed" (kill or wait on a service already dead) ended the
# trap, and the sandbox Asterisk was left running.
#
#   run_on_exit "COMMAND"   run COMMAND on exit, after stopping the service (if one was started)
#   run_service CMD...      start the service in the background and wait for it; its exit status
#                           is the script's (the EXIT trap then stops the rest)
#   run_alongside CMD...    start CMD in the background beside the service (the demo); stopped
#                           first on exit, while the service can still answer its last requests

RUN_STOP=""
RUN_SERVICE=""
RUN_ALONGSIDE=""

run_cleanup() {
  set +e
  trap - INT TERM HUP
  if [ -n "$RUN_ALONGSIDE" ]; then
    kill -TERM "$RUN_ALONGSIDE" 2>/dev/null
    wait "$RUN_ALONGSIDE" 2>/dev/null
  fi
  if [ -n "$RUN_SERVICE" ]; then
    kill -TERM "$RUN_SERVICE" 2>/dev/null
    wait "$RUN_SERVICE" 2>/dev/null
  fi
  if [ -n "$RUN_STOP" ]; then eval "$RUN_STOP"; fi
}

run_on_exit() {
  RUN_STOP="$1"
  trap run_cleanup EXIT
  trap 'exit 0' INT TERM HUP
}

run_service() {
  "$@" &
  RUN_SERVICE=$!
  wait "$RUN_SERVICE"
}

run_alongside() {
  "$@" &
  RUN_ALONGSIDE=$!
}
