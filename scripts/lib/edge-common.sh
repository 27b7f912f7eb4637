# shellcheck shell=bash
# Helpers for scripts/sip-edge.sh (sourced, not run). Functions are prefixed se_.
#
# One edge = one Kamailio (the host's Debian package, not the chroot's) with its own folder
# $EDGE_RUN_DIR (default /run/cti110-edge/<instance>): the rendered kamailio.cfg and
# dispatcher.list, its pid file, its control socket, its log (edge.log) and db/ (db_text tables:
# the phones' registrations, kept across restarts, and their credentials).

SE_INSTANCE="${EDGE_INSTANCE:-${AST_INSTANCE:-default}}"
if ! [[ "$SE_INSTANCE" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
  echo "sip-edge: invalid EDGE_INSTANCE '$SE_INSTANCE' (letters, digits, _ . - only)" >&2
  exit 2
fi
SE_DIR="${EDGE_RUN_DIR:-/run/cti110-edge/$SE_INSTANCE}"
SE_DIR="${SE_DIR%/}"
# The folder goes on Kamailio's command line and into its config: no spaces or quotes there.
if ! [[ "$SE_DIR" =~ ^/[A-Za-z0-9_./+-]+$ ]]; then
  echo "sip-edge: EDGE_RUN_DIR must be an absolute path of letters, digits and _ . / + -, got '$SE_DIR'" >&2
  exit 2
fi
SE_CFG="$SE_DIR/kamailio.cfg"
SE_PIDFILE="$SE_DIR/kamailio.pid"
SE_LOG="$SE_DIR/edge.log"
SE_ENVFILE="$SE_DIR/edge.env"
SE_KAMAILIO="${KAMAILIO:-/usr/sbin/kamailio}"

se_say() { echo "sip-edge[$SE_INSTANCE]: $*"; }
se_die() { echo "sip-edge[$SE_INSTANCE]: ERROR: $*" >&2; exit 1; }
# Bad input from the caller of the script (a port, an address, the node list): exit 2.
se_bad() { echo "sip-edge[$SE_INSTANCE]: ERROR: $*" >&2; exit 2; }

se_need_kamailio() {
  [ -x "$SE_KAMAILIO" ] || se_die "kamailio missing ($SE_KAMAILIO): run scripts/install-tools.sh"
}

# ---------------------------------------------------------------------------------------------
# Settings. Every address is an IPv4 address: the edge does no DNS on the call path.
SE_VARS=(EDGE_ADDR EDGE_PORT EDGE_RELAY_ADDR EDGE_RELAY_PORT EDGE_PHONE_ADDR EDGE_PHONE_PORT
  EDGE_PROBE_S EDGE_NODE_TIMEOUT_MS EDGE_LOG_LEVEL EDGE_RUN_DIR EDGE_NODES)
# Kamailio's own db_text table definitions (Debian package): version and location are copied.
SE_DBTEXT="${EDGE_DBTEXT_DIR:-/usr/share/kamailio/dbtext/kamailio}"

se_is_ipv4() {
  local IFS=. a b c d
  [[ "$1" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  read -r a b c d <<<"$1"
  [ "$((10#$a))" -le 255 ] && [ "$((10#$b))" -le 255 ] && [ "$((10#$c))" -le 255 ] && [ "$((10#$d))" -le 255 ]
}

se_is_port() { [[ "$1" =~ ^[0-9]{1,5}$ ]] && [ "$((10#$1))" -ge 1 ] && [ "$((10#$1))" -le 65535 ]; }

# "ADDR:PORT ADDR:PORT..." (spaces or commas) -> one "ADDR:PORT" a line, checked; exit 2 on a bad
# entry, an empty list or the same node twice.
se_parse_nodes() {
  local list="${1//,/ }" node seen=" " count=0
  for node in $list; do
    [[ "$node" == *:* ]] || se_bad "EDGE_NODES: '$node' is not ADDR:PORT (e.g. 127.0.0.1:5060)"
    se_is_ipv4 "${node%:*}" || se_bad "EDGE_NODES: '${node%:*}' in '$node' is not an IPv4 address"
    se_is_port "${node##*:}" || se_bad "EDGE_NODES: '${node##*:}' in '$node' is not a port (1-65535)"
    node="${node%:*}:$((10#${node##*:}))"
    [[ "$seen" != *" $node "* ]] || se_bad "EDGE_NODES: $node is listed twice"
    seen+="$node "
    count=$((count + 1))
    echo "$node"
  done
  [ "$count" -gt 0 ] || se_bad "EDGE_NODES is empty: give at least one Asterisk node as ADDR:PORT"
}

se_defaults() {
  EDGE_RUN_DIR="$SE_DIR"
  : "${EDGE_ADDR:=127.0.0.1}" "${EDGE_PORT:=5062}"
  : "${EDGE_PHONE_ADDR:=127.0.0.1}" "${EDGE_PHONE_PORT:=5064}"
  # Asterisk knows the 110 trunk by its source address: the edge relays from that address.
  : "${EDGE_RELAY_ADDR:=${TRUNK110_ADDR:-127.0.0.2}}" "${EDGE_RELAY_PORT:=$EDGE_PORT}"
  : "${EDGE_NODES:=127.0.0.1:${AST_SIP_PORT:-5060}}"
  : "${EDGE_PROBE_S:=2}" "${EDGE_NODE_TIMEOUT_MS:=2000}" "${EDGE_LOG_LEVEL:=2}"
  local v
  for v in EDGE_ADDR EDGE_RELAY_ADDR EDGE_PHONE_ADDR; do
    se_is_ipv4 "${!v}" || se_bad "$v must be an IPv4 address, got '${!v}'"
  done
  for v in EDGE_PORT EDGE_RELAY_PORT EDGE_PHONE_PORT; do
    se_is_port "${!v}" || se_bad "$v must be a port (1-65535), got '${!v}'"
  done
  EDGE_PORT=$((10#$EDGE_PORT)) EDGE_RELAY_PORT=$((10#$EDGE_RELAY_PORT)) EDGE_PHONE_PORT=$((10#$EDGE_PHONE_PORT))
  [ "$EDGE_ADDR:$EDGE_PORT" != "$EDGE_RELAY_ADDR:$EDGE_RELAY_PORT" ] ||
    se_bad "the entrance (EDGE_ADDR:EDGE_PORT) and the relay socket (EDGE_RELAY_ADDR:EDGE_RELAY_PORT) must differ: $EDGE_ADDR:$EDGE_PORT"
  [ "$EDGE_PHONE_ADDR:$EDGE_PHONE_PORT" != "$EDGE_ADDR:$EDGE_PORT" ] && [ "$EDGE_PHONE_ADDR:$EDGE_PHONE_PORT" != "$EDGE_RELAY_ADDR:$EDGE_RELAY_PORT" ] ||
    se_bad "the phones' socket (EDGE_PHONE_ADDR:EDGE_PHONE_PORT) must differ from the entrance and the relay socket: $EDGE_PHONE_ADDR:$EDGE_PHONE_PORT"
  [[ "$EDGE_PROBE_S" =~ ^[0-9]+$ ]] && [ "$((10#$EDGE_PROBE_S))" -ge 1 ] && [ "$((10#$EDGE_PROBE_S))" -le 3600 ] ||
    se_bad "EDGE_PROBE_S (seconds between OPTIONS probes) must be 1-3600, got '$EDGE_PROBE_S'"
  [[ "$EDGE_NODE_TIMEOUT_MS" =~ ^[0-9]+$ ]] && [ "$((10#$EDGE_NODE_TIMEOUT_MS))" -ge 100 ] && [ "$((10#$EDGE_NODE_TIMEOUT_MS))" -le 60000 ] ||
    se_bad "EDGE_NODE_TIMEOUT_MS must be 100-60000, got '$EDGE_NODE_TIMEOUT_MS'"
  [[ "$EDGE_LOG_LEVEL" =~ ^-?[0-3]$ ]] || se_bad "EDGE_LOG_LEVEL must be a Kamailio debug level -3..3, got '$EDGE_LOG_LEVEL'"
  EDGE_PROBE_S=$((10#$EDGE_PROBE_S)) EDGE_NODE_TIMEOUT_MS=$((10#$EDGE_NODE_TIMEOUT_MS))
  local parsed
  parsed="$(se_parse_nodes "$EDGE_NODES")" || exit $?
  EDGE_NODES="$(tr '\n' ' ' <<<"$parsed")"
  EDGE_NODES="${EDGE_NODES% }"
}

# dispatcher.list: set 1 holds every node, in the order given (the first is tried first).
se_dispatcher_list() {
  local node
  echo "# Rendered by scripts/sip-edge.sh from EDGE_NODES: setid destination flags priority"
  for node in $EDGE_NODES; do
    echo "1 sip:$node 0 0"
  done
}

# db/subscriber: every phone's digest credentials as config/asterisk/pjsip.conf has them (each
# "username = X" followed by its "password = Y" in a type=auth section), so a phone has one password
# whether it registers at a node or at the edge. db_text rows "id:username:domain:password" (no
# domain: the edge serves one; the ha1 columns are left out, auth_db computes them from the
# password; ':' in a password would need escaping: refused instead).
se_subscribers() {
  local pjsip="$ROOT_DIR/config/asterisk/pjsip.conf"
  echo "id(int,auto) username(string) domain(string,null) password(string)"
  awk '
    /^[ \t]*\[/ { user = "" }
    /^[ \t]*username[ \t]*=/ { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+$/, ""); user = $0 }
    /^[ \t]*password[ \t]*=/ && user != "" {
      sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+$/, "")
      if (index($0, ":") || index(user, ":")) { print "colon in the credentials of " user > "/dev/stderr"; exit 2 }
      n++; printf "%d:%s::%s\n", n, user, $0
    }' "$pjsip"
}

# db/: the registrar's tables. location is created empty once and then kept: a restart (stop,
# start) reads back the registrations it holds.
se_render_db() {
  local db="$SE_DIR/db"
  [ -f "$SE_DBTEXT/location" ] && [ -f "$SE_DBTEXT/version" ] && [ -f "$SE_DBTEXT/subscriber" ] ||
    se_die "Kamailio's db_text tables missing in $SE_DBTEXT (Debian package kamailio): set EDGE_DBTEXT_DIR"
  mkdir -p "$db"
  cp "$SE_DBTEXT/version" "$db/version"
  [ -f "$db/location" ] || cp "$SE_DBTEXT/location" "$db/location"
  se_subscribers >"$db/subscriber.tmp" || se_die "could not read the phones' credentials from config/asterisk/pjsip.conf"
  chmod 600 "$db/subscriber.tmp"
  mv "$db/subscriber.tmp" "$db/subscriber"
}

# Render config/kamailio/kamailio.cfg and dispatcher.list into $SE_DIR (refused while running:
# the running edge would not see the change, and its folder is in use).
se_render() {
  se_defaults
  local src="$ROOT_DIR/config/kamailio/kamailio.cfg" content v left
  [ -f "$src" ] || se_die "$src missing"
  mkdir -p "$SE_DIR"
  shopt -u patsub_replacement 2>/dev/null || true   # bash 5.2: '&' in a replacement stays literal
  content="$(cat "$src")"
  for v in "${SE_VARS[@]}"; do
    content="${content//@@$v@@/${!v}}"
  done
  left="$(grep -no '@@[A-Za-z0-9_]*@@' <<<"$content" || true)"
  [ -z "$left" ] || se_die "unsubstituted placeholders in config/kamailio/kamailio.cfg (known: ${SE_VARS[*]}): $left"
  printf '%s\n' "$content" >"$SE_CFG.tmp"
  mv "$SE_CFG.tmp" "$SE_CFG"
  se_dispatcher_list >"$SE_DIR/dispatcher.list"
  se_render_db
  : >"$SE_ENVFILE"
  for v in "${SE_VARS[@]}"; do
    printf '%s=%q\n' "$v" "${!v}" >>"$SE_ENVFILE"
  done
  se_say "rendered $SE_CFG (nodes: $EDGE_NODES)"
}

# ---------------------------------------------------------------------------------------------
# Processes: found by their command line (every Kamailio process of this edge has the same one),
# so a stale or missing pid file never hides a running edge.
se_cmdline() { printf '%s -f %s -P %s -DD -E -m 32 -M 8' "$SE_KAMAILIO" "$SE_CFG" "$SE_PIDFILE"; }

se_find_pids() {
  local want p cmd
  want="$(se_cmdline)"
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
    [ "${cmd% }" = "$want" ] && echo "${p#/proc/}"
  done
  return 0
}

se_running() { [ -n "$(se_find_pids)" ]; }

se_wait_gone() {   # seconds
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt "$deadline" ]; do
    se_running || return 0
    sleep 0.1
  done
  ! se_running
}

# "udp ADDR:PORT" lines bound by anyone (by pid $1 if given) among the edge's three sockets.
se_bound() {
  command -v ss >/dev/null || return 0
  local want_pid="${1:-}" addr line
  for addr in "$EDGE_ADDR:$EDGE_PORT" "$EDGE_RELAY_ADDR:$EDGE_RELAY_PORT" "$EDGE_PHONE_ADDR:$EDGE_PHONE_PORT"; do
    line="$(ss -H -lnup "sport = :${addr##*:}" 2>/dev/null | awk -v a="$addr" '$4 == a || $5 == a')"
    [ -n "$line" ] || continue
    if [ -z "$want_pid" ] || grep -q "pid=$want_pid," <<<"$line"; then echo "udp $addr"; fi
  done
}

# The first lock on the instance folder's parent: start and stop of one edge never interleave.
se_lock() {
  local fd
  mkdir -p "$(dirname "$SE_DIR")"
  exec {fd}>"$(dirname "$SE_DIR")/.$SE_INSTANCE.lock"
  flock -w 60 "$fd" || se_die "timed out waiting for another start/stop of this edge"
  SE_LOCK_FD="$fd"
}

se_start() {
  se_need_kamailio
  se_lock
  if se_running; then
    se_say "already running (pids $(se_find_pids | tr '\n' ' '))"
    return 0
  fi
  se_render
  local busy
  busy="$(se_bound | tr '\n' ' ')"
  [ -z "${busy// /}" ] || se_die "ports already in use: ${busy}(another edge? pick other EDGE_PORT / EDGE_RELAY_PORT / EDGE_PHONE_PORT values)"
  local check
  if ! check="$("$SE_KAMAILIO" -c -f "$SE_CFG" 2>&1)"; then
    echo "$check" | tail -n 20 >&2
    se_die "kamailio refuses the rendered config $SE_CFG"
  fi
  rm -f "$SE_PIDFILE" "$SE_DIR/ctl.sock"
  : >"$SE_LOG"
  se_say "starting kamailio (110 trunk entrance udp $EDGE_ADDR:$EDGE_PORT, relays from $EDGE_RELAY_ADDR:$EDGE_RELAY_PORT to: $EDGE_NODES; probe every ${EDGE_PROBE_S}s; phones register at udp $EDGE_PHONE_ADDR:$EDGE_PHONE_PORT)"
  # shellcheck disable=SC2046
  setsid nohup $(se_cmdline) >>"$SE_LOG" 2>&1 </dev/null {SE_LOCK_FD}>&- &
  local launcher=$! deadline=$((SECONDS + ${EDGE_START_TIMEOUT:-15})) pid="" ok=0
  while [ $SECONDS -lt "$deadline" ]; do
    pid="$(cat "$SE_PIDFILE" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ -S "$SE_DIR/ctl.sock" ] && [ "$(se_bound "$pid" | wc -l)" -eq 3 ]; then
      ok=1
      break
    fi
    kill -0 "$launcher" 2>/dev/null || break   # it exited (bad socket, module error...)
    sleep 0.2
  done
  if [ "$ok" != 1 ]; then
    echo "sip-edge[$SE_INSTANCE]: kamailio did not come up; last lines of $SE_LOG:" >&2
    tail -n 30 "$SE_LOG" >&2 || true
    se_stop_procs
    se_die "start failed"
  fi
  se_say "running (pid $pid)"
}

se_stop_procs() {
  local main pids
  main="$(cat "$SE_PIDFILE" 2>/dev/null || true)"
  pids="$(se_find_pids | tr '\n' ' ')"
  if [ -n "${pids// /}" ]; then
    se_say "stopping kamailio (pids ${pids% })"
    # The main process takes its workers down with it; whatever is left after 5 s is killed.
    # (The pid file is trusted only if it names one of them: a stale one may be anyone's now.)
    [[ -n "$main" && " $pids " == *" $main "* ]] || main="${pids%% *}"
    kill -TERM "$main" 2>/dev/null || true
    if ! se_wait_gone 5; then
      pids="$(se_find_pids | tr '\n' ' ')"
      se_say "sending SIGKILL to $pids"
      # shellcheck disable=SC2086
      [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
      se_wait_gone 5 || se_die "kamailio (pids $pids) does not die"
    fi
  fi
  rm -f "$SE_PIDFILE" "$SE_DIR/ctl.sock"
}

se_stop() {
  se_lock
  se_stop_procs
  se_say "stopped"
}

# Stop, then remove the instance's folder (tests do this; the harness keeps the log first).
se_destroy() {
  se_stop
  [ -d "$SE_DIR" ] || return 0
  [ -z "$(findmnt -rn -o TARGET | awk -v p="$SE_DIR" '$0 == p || index($0, p "/") == 1')" ] ||
    se_die "something is mounted under $SE_DIR; not removing it"
  rm -rf --one-file-system -- "$SE_DIR"
  # The lock file too (held by us): test runs would otherwise leave one per run behind.
  rm -f -- "$(dirname "$SE_DIR")/.$SE_INSTANCE.lock"
  se_say "removed $SE_DIR"
}

# The phones registered here, one a line: "1001 sip:1001@127.0.0.1:5071".
se_phones() {
  se_running || { echo "sip-edge[$SE_INSTANCE]: not running" >&2; return 3; }
  kamcmd -s "unix:$SE_DIR/ctl.sock" ul.dump |
    awk '/AoR:/ { aor = $2 } /Address:/ { print aor, $2 }'
}

# The dispatcher's view of the nodes (flags A = active, I = inactive, P = probing), one a line:
# "sip:127.0.0.1:5060 AP".
se_nodes() {
  se_running || { echo "sip-edge[$SE_INSTANCE]: not running" >&2; return 3; }
  kamcmd -s "unix:$SE_DIR/ctl.sock" dispatcher.list |
    awk '/URI:/ { uri = $2 } /FLAGS:/ { print uri, $2 }'
}

se_status() {
  if [ -f "$SE_ENVFILE" ]; then
    # shellcheck disable=SC1090
    . "$SE_ENVFILE"
  else
    se_defaults
  fi
  local where="110 trunk entrance udp $EDGE_ADDR:$EDGE_PORT, relay $EDGE_RELAY_ADDR:$EDGE_RELAY_PORT, phones udp ${EDGE_PHONE_ADDR:-?}:${EDGE_PHONE_PORT:-?}, nodes $EDGE_NODES"
  if se_running; then
    echo "sip-edge[$SE_INSTANCE]: running (pid $(cat "$SE_PIDFILE" 2>/dev/null)): $where"
    se_nodes || true
    return 0
  fi
  echo "sip-edge[$SE_INSTANCE]: stopped ($where)"
  return 3
}
