#!/usr/bin/env bash
# The multi-node sandbox on this machine (issue #16), loopback only, in one command
# (npm run start:cluster): PostgreSQL, Asterisk nodes A and B in edge mode, the SIP edge
# (Kamailio: the 110 trunk's entrance and dispatcher over A and B, and the phones' registrar), and
# two service processes on PostgreSQL, each under a supervisor loop that starts it again whenever
# it exits (status 75 after losing its lease, a crash, anything): one is active, the other the
# standby. Ctrl-C (or TERM/HUP) stops everything this script started, services first.
# docs/deployment.md draws it and says how the same runs on several machines.
#
# Both services are attached to both nodes (CTI110_ARI_NODES): whichever node the edge gives a
# call to, the active service's one queue answers it (src/asterisk/node-router.ts). AMI (only
# the dialplan editor uses it) is node A's.
#
# Environment (defaults in brackets; every address is loopback):
#   CLUSTER_DIR        state kept between runs: PostgreSQL's data, the audit key, recordings
#                      [/var/lib/cti110/cluster]
#   CLUSTER_PG_PORT    PostgreSQL [5433]
#   NODE_A_PORTS       node A "SIP HTTP AMI RTP_START RTP_END" [5060 8088 5038 10000 10499]
#   NODE_B_PORTS       node B, the same [5160 8188 5138 10500 10999]
#   EDGE_PORT, EDGE_PHONE_PORT   the 110 trunk's entrance and the phones' registrar [5062, 5064]
#   SERVICE_PORTS      the two services' HTTP ports [8110 8111]
#   CTI110_SKIP_SETUP=1  do not run scripts/setup.sh first (already set up, dist/ built)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ $# -gt 0 ]; then
  echo "run-cluster: no arguments (see the environment in $0)" >&2
  exit 2
fi
CLUSTER_DIR="${CLUSTER_DIR:-/var/lib/cti110/cluster}"
CLUSTER_PG_PORT="${CLUSTER_PG_PORT:-5433}"
read -r A_SIP A_HTTP A_AMI A_RTP0 A_RTP1 <<<"${NODE_A_PORTS:-5060 8088 5038 10000 10499}"
read -r B_SIP B_HTTP B_AMI B_RTP0 B_RTP1 <<<"${NODE_B_PORTS:-5160 8188 5138 10500 10999}"
read -r SVC1_PORT SVC2_PORT <<<"${SERVICE_PORTS:-8110 8111}"
export EDGE_PORT="${EDGE_PORT:-5062}" EDGE_PHONE_PORT="${EDGE_PHONE_PORT:-5064}"
export EDGE_INSTANCE=cluster EDGE_NODES="127.0.0.1:$A_SIP 127.0.0.1:$B_SIP"
PHONE_EDGE="${EDGE_PHONE_ADDR:-127.0.0.1}:$EDGE_PHONE_PORT"
for v in A_SIP A_HTTP A_AMI A_RTP0 A_RTP1 B_SIP B_HTTP B_AMI B_RTP0 B_RTP1 SVC1_PORT SVC2_PORT CLUSTER_PG_PORT; do
  [[ "${!v:-}" =~ ^[0-9]+$ ]] || { echo "run-cluster: $v must be a port number, got '${!v:-}' (NODE_A_PORTS, NODE_B_PORTS, SERVICE_PORTS, CLUSTER_PG_PORT)" >&2; exit 2; }
done

say() { echo "run-cluster: $*"; }
[ "${CTI110_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
mkdir -p "$CLUSTER_DIR/recordings" "$CLUSTER_DIR/logs"

node_env() {   # A|B: the sandbox's environment for that node
  if [ "$1" = A ]; then
    echo "AST_INSTANCE=cluster-a AST_SIP_PORT=$A_SIP AST_HTTP_PORT=$A_HTTP AST_AMI_PORT=$A_AMI AST_RTP_START=$A_RTP0 AST_RTP_END=$A_RTP1 AST_PHONE_EDGE=$PHONE_EDGE"
  else
    echo "AST_INSTANCE=cluster-b AST_SIP_PORT=$B_SIP AST_HTTP_PORT=$B_HTTP AST_AMI_PORT=$B_AMI AST_RTP_START=$B_RTP0 AST_RTP_END=$B_RTP1 AST_PHONE_EDGE=$PHONE_EDGE"
  fi
}
node_do() {    # A|B start|stop
  # shellcheck disable=SC2046
  env $(node_env "$1") bash scripts/asterisk-sandbox.sh "$2"
}

# ---- stopping: whatever was started, in reverse, also after a failed start -------------------
SUPERVISORS=()
STARTED=()
cleanup() {
  set +e
  trap - INT TERM HUP
  say "stopping"
  local p
  for p in "${SUPERVISORS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${SUPERVISORS[@]}"; do wait "$p" 2>/dev/null; done
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do eval "${STARTED[$i]}"; done
  # The sandboxes mount /proc only in a private namespace that ends with Asterisk: nothing of
  # theirs may be left in the machine's mount table.
  local left
  left="$(findmnt -rn -o TARGET | grep -F "${CTI110_CHROOT:-/var/cache/cti110/asterisk-sid}" || true)"
  [ -z "$left" ] || echo "run-cluster: WARNING: still mounted: $left" >&2
  say "stopped"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

# ---- PostgreSQL -------------------------------------------------------------------------------
DB_URL="$(bash scripts/pg-sandbox.sh start "$CLUSTER_DIR/pg" "$CLUSTER_PG_PORT")"
STARTED+=("bash scripts/pg-sandbox.sh stop '$CLUSTER_DIR/pg'")
say "PostgreSQL at $DB_URL"

# ---- Asterisk nodes, then the edge (its probes find them up) ----------------------------------
node_do A start
STARTED+=("node_do A stop")
node_do B start
STARTED+=("node_do B stop")
bash scripts/sip-edge.sh start
STARTED+=("bash scripts/sip-edge.sh stop")

# ---- the services -----------------------------------------------------------------------------
# Both on every node's ARI (one queue across the nodes) and node A's AMI, on the one PostgreSQL
# database, with the same audit key and recordings folder (a takeover must find them).
export CTI110_DB_URL="$DB_URL" CTI110_SANDBOX=1
export CTI110_AUDIT_KEY_FILE="$CLUSTER_DIR/audit-key.pem" CTI110_RECORDINGS_DIR="$CLUSTER_DIR/recordings"
export CTI110_ARI_NODES="A=http://127.0.0.1:$A_HTTP B=http://127.0.0.1:$B_HTTP" CTI110_AMI_PORT="$A_AMI"
demo_user() { local name=$1; shift; CTI110_NEW_PASSWORD="$name-password" node dist/src/auth/add-user-cli.js --if-missing --name "$name" "$@" >/dev/null; }
for seat in 1001 1002 1003 1004 1005; do demo_user "taker$seat" --role call-taker --seat "$seat"; done
demo_user supervisor --role supervisor
demo_user admin --role admin

# A supervisor loop, as systemd's Restart=always would be: the service is started again whatever
# its exit (75 = it lost the lease and must come back as the standby). TERM ends the loop and the
# service it runs.
supervise() {
  local name="$1" port="$2" log="$CLUSTER_DIR/logs/service-$1.log" child="" rc
  trap '[ -z "$child" ] || { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; }; exit 0' TERM INT HUP
  while :; do
    CTI110_HTTP_PORT="$port" node dist/src/main.js >>"$log" 2>&1 &
    child=$!
    say "service $name started (pid $child, http://127.0.0.1:$port, log $log)"
    rc=0
    wait "$child" || rc=$?
    child=""
    case "$rc" in
      75) say "service $name lost its lease (exit 75): starting it again as the standby" ;;
      *) say "service $name exited with status $rc: starting it again" ;;
    esac
    sleep 1
  done
}
supervise one "$SVC1_PORT" &
SUPERVISORS+=($!)
sleep 2   # the first to start takes the lease: let it be the one on the first port
supervise two "$SVC2_PORT" &
SUPERVISORS+=($!)

say "up: 110 calls enter at sip:110@127.0.0.1:$EDGE_PORT (udp); phones register at sip:<number>@$PHONE_EDGE (udp, pjsip.conf's passwords)"
say "services http://127.0.0.1:$SVC1_PORT and http://127.0.0.1:$SVC2_PORT: the active one says \"role\":\"active\" on /health, the other \"standby\" (Ctrl-C stops everything)"
say "nodes: A sip 127.0.0.1:$A_SIP ari http://127.0.0.1:$A_HTTP; B sip 127.0.0.1:$B_SIP ari http://127.0.0.1:$B_HTTP (both services attached to both)"
wait
