#!/usr/bin/env bash
# The SIP edge: Kamailio (the host's Debian package) in front of the Asterisk node(s). The 110
# trunk sends its calls to the edge's entrance; the edge makes a caller ID Asterisk cannot parse
# anonymous, and spreads calls over the nodes that answer its OPTIONS probes
# (config/kamailio/kamailio.cfg says why and how).
#
#   scripts/sip-edge.sh render   render config/kamailio/kamailio.cfg + dispatcher.list
#   scripts/sip-edge.sh start    render, check, start, wait until both sockets are bound
#   scripts/sip-edge.sh stop     stop (TERM, then KILL)
#   scripts/sip-edge.sh destroy  stop, then remove the instance's folder (tests do this)
#   scripts/sip-edge.sh status   running/stopped, sockets, nodes (exit 0 running, 3 stopped)
#   scripts/sip-edge.sh nodes    the dispatcher's view: "sip:ADDR:PORT FLAGS" (A active, I inactive, P probing)
#   scripts/sip-edge.sh phones   the phones registered at the edge: "1001 sip:1001@ADDR:PORT"
#
# Environment (defaults for `npm start`'s single node):
#   EDGE_INSTANCE          name of this edge (default: AST_INSTANCE, else "default")
#   EDGE_ADDR, EDGE_PORT   the 110 trunk's entrance (127.0.0.1, 5062)
#   EDGE_RELAY_ADDR, EDGE_RELAY_PORT  where calls leave for Asterisk; Asterisk knows the 110 trunk
#                          by this address (TRUNK110_ADDR, else 127.0.0.2; port: EDGE_PORT)
#   EDGE_PHONE_ADDR, EDGE_PHONE_PORT  the phones' registrar, where nodes in edge mode
#                          (AST_PHONE_EDGE) send calls for phones (127.0.0.1, 5064)
#   EDGE_NODES             Asterisk nodes, "ADDR:PORT ADDR:PORT..." (127.0.0.1:AST_SIP_PORT, else :5060)
#   EDGE_PROBE_S           seconds between OPTIONS probes of each node (2)
#   EDGE_NODE_TIMEOUT_MS   a node silent this long is down / the call moves on (2000)
#   EDGE_LOG_LEVEL         Kamailio debug level, -3..3 (2 = info: one line per call)
#   EDGE_RUN_DIR           the instance's folder (/run/cti110-edge/<instance>): config, pid, log
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/edge-common.sh
. "$ROOT_DIR/scripts/lib/edge-common.sh"

usage() {
  sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  render)
    ! se_running || se_die "running: stop it first (a running edge does not reread its files)"
    se_render ;;
  start)   se_start ;;
  stop)    se_stop ;;
  destroy) se_destroy ;;
  status)  se_status ;;
  nodes)   se_nodes ;;
  phones)  se_phones ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
