# shellcheck shell=bash
# Helpers for scripts/asterisk-sandbox.sh (sourced, not run). Functions are prefixed sb_.
#
# Layout (host paths):
#   $CTI110_CHROOT                         the Debian sid chroot (default /var/cache/cti110/asterisk-sid)
#   $CTI110_CHROOT/.cti110-complete        stamp: the chroot build finished
#   $CTI110_CHROOT/srv/cti110/<instance>/  one Asterisk instance: etc run spool log lib-db recordings
#   <chroot parent>/.<name>.lock           build lock; .<name>.<instance>.lock per-instance lock

SB_CHROOT="${CTI110_CHROOT:-/var/cache/cti110/asterisk-sid}"
SB_CHROOT="${SB_CHROOT%/}"
SB_PARENT="$(dirname "$SB_CHROOT")"
SB_BASE="$(basename "$SB_CHROOT")"
SB_STAMP="$SB_CHROOT/.cti110-complete"
SB_MARKER_NAME=".cti110-build-marker"

SB_INSTANCE="${AST_INSTANCE:-default}"
if ! [[ "$SB_INSTANCE" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
  echo "asterisk-sandbox: invalid AST_INSTANCE '$SB_INSTANCE' (letters, digits, _ . - only)" >&2
  exit 2
fi
SB_INST_IN="/srv/cti110/$SB_INSTANCE"        # path as Asterisk sees it (inside the chroot)
SB_INST="$SB_CHROOT$SB_INST_IN"              # same folder seen from the host
SB_CONF_IN="$SB_INST_IN/etc/asterisk.conf"
SB_PIDFILE="$SB_INST/asterisk.pid"
SB_LOG="$SB_INST/log/console.log"            # Asterisk's stdout/stderr
SB_ENVFILE="$SB_INST/sandbox.env"            # values used by the last render
SB_ASTERISK="/usr/sbin/asterisk"             # inside the chroot

sb_say() { echo "asterisk-sandbox[$SB_INSTANCE]: $*"; }
sb_die() { echo "asterisk-sandbox[$SB_INSTANCE]: ERROR: $*" >&2; exit 1; }

sb_need_root() {
  [ "$(id -u)" -eq 0 ] || sb_die "must run as root (debootstrap, chroot, unshare need it)"
}

# Take an exclusive lock on a file outside the chroot; held until the shell exits.
# The fd is kept in SB_LOCK_FD so that the started Asterisk does not inherit it (it would hold
# the lock for its whole life).
SB_LOCK_FD=""
sb_lock() {
  local name="$1" fd
  mkdir -p "$SB_PARENT"
  exec {fd}>"$SB_PARENT/.$SB_BASE.$name.lock"
  if ! flock -n "$fd"; then
    sb_say "waiting for lock $name (another build/start/stop is running)"
    flock -w 900 "$fd" || sb_die "timed out waiting for lock $name"
  fi
  SB_LOCK_FD="$fd"
}

# ---------------------------------------------------------------------------------------------
# Mirror: read from this machine's apt sources, never hard-coded.
sb_mirror() {
  if [ -n "${CTI110_MIRROR:-}" ]; then echo "$CTI110_MIRROR"; return; fi
  local codename="" uri
  # shellcheck disable=SC1091
  codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  local files=()
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
  # deb822 stanzas: Types has deb, Components has main, Suites has <codename> (else any non-security)
  for want in "$codename" "*"; do
    [ -n "$want" ] || continue
    if [ "${#files[@]}" -gt 0 ]; then
      uri="$(awk -v want="$want" '
        BEGIN { RS=""; FS="\n" }
        {
          types=""; uris=""; suites=""; comps=""; enabled="yes"
          for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^[ \t]*#/) continue
            if (match(line, /^[A-Za-z-]+:/)) {
              key = tolower(substr(line, 1, RLENGTH - 1)); val = substr(line, RLENGTH + 1)
              if (key == "types") types = val; else if (key == "uris") uris = val
              else if (key == "suites") suites = val; else if (key == "components") comps = val
              else if (key == "enabled") enabled = val
            }
          }
          if (enabled ~ /no/) next
          if ((" " types " ") !~ /[ \t]deb[ \t]/) next
          if ((" " comps " ") !~ /[ \t]main[ \t]/) next
          n = split(suites, s, /[ \t]+/); ok = 0
          for (j = 1; j <= n; j++) {
            if (s[j] == "") continue
            if (want == "*" ? (s[j] !~ /-security$/) : (s[j] == want)) ok = 1
          }
          if (!ok) next
          split(uris, u, /[ \t]+/)
          for (j = 1; j in u; j++) if (u[j] != "") { print u[j]; exit }
        }' "${files[@]}")"
      [ -n "$uri" ] && { echo "$uri"; return; }
    fi
    # one-line format: deb [opts] URI suite components...
    uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v want="$want" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        uri = $i; suite = $(i + 1); main = 0
        for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
        if (!main) next
        if (want == "*" ? (suite !~ /-security$/) : (suite == want)) { print uri; exit }
      }')"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  sb_die "no Debian mirror found in /etc/apt/sources.list{,.d/*.sources,.d/*.list} (set CTI110_MIRROR)"
}

# ---------------------------------------------------------------------------------------------
# Safety: nothing mounted under a folder, and no process rooted in it.
sb_mounts_under() {
  local dir="$1"
  findmnt -rn -o TARGET | awk -v p="$dir" '$0 == p || index($0, p "/") == 1'
}

sb_procs_rooted_in() {
  local dir="$1" p root
  for p in /proc/[0-9]*; do
    root="$(readlink "$p/root" 2>/dev/null)" || continue
    if [ "$root" = "$dir" ] || [[ "$root" == "$dir/"* ]]; then echo "${p#/proc/}"; fi
  done
}

# Remove a folder, refusing if anything is mounted under it (rm -rf through a bind-mounted /dev
# would delete the machine's device nodes) or a process still runs inside it.
sb_safe_rm() {
  local dir="$1" m p
  [ -e "$dir" ] || return 0
  m="$(sb_mounts_under "$dir")"
  [ -z "$m" ] || sb_die "refusing to remove $dir: mounted under it: $m (unmount by hand first)"
  p="$(sb_procs_rooted_in "$dir" | tr '\n' ' ')"
  [ -z "${p// /}" ] || sb_die "refusing to remove $dir: processes still running inside it: $p"
  sb_say "removing $dir"
  rm -rf --one-file-system "$dir"
}

# ---------------------------------------------------------------------------------------------
# Build the chroot.
sb_chroot_extras() {
  local dir="$1" host
  host="$(hostname)"
  # Asterisk looks up the machine's hostname at start.
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$host" >"$dir/etc/hosts"
  # Device nodes (real nodes made with mknod, never a bind mount of the host's /dev).
  mkdir -p "$dir/dev"
  local spec name maj min
  for spec in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
    IFS=: read -r name maj min <<<"$spec"
    if [ ! -c "$dir/dev/$name" ]; then
      rm -f "$dir/dev/$name"
      mknod -m 666 "$dir/dev/$name" c "$maj" "$min"
    fi
  done
}

sb_is_built() { [ -f "$SB_STAMP" ] && [ -x "$SB_CHROOT$SB_ASTERISK" ]; }

sb_build() {
  sb_need_root
  sb_lock build
  if sb_is_built; then
    sb_chroot_extras "$SB_CHROOT"
    sb_say "chroot ready: $SB_CHROOT ($(head -n1 "$SB_STAMP"))"
    return 0
  fi
  command -v debootstrap >/dev/null || sb_die "debootstrap missing: run scripts/install-tools.sh"
  mkdir -p "$SB_PARENT"
  # Leftovers of an interrupted build.
  local d
  for d in "$SB_PARENT/.$SB_BASE.build."*; do
    [ -d "$d" ] && sb_safe_rm "$d"
  done
  if [ -e "$SB_CHROOT" ]; then
    if [ -f "$SB_CHROOT/$SB_MARKER_NAME" ] || [ -z "$(ls -A "$SB_CHROOT")" ]; then
      sb_say "chroot incomplete (no stamp), rebuilding"
      sb_safe_rm "$SB_CHROOT"
    else
      sb_die "$SB_CHROOT exists but was not built by this script; move it away or set CTI110_CHROOT"
    fi
  fi
  local mirror tmp blog
  mirror="$(sb_mirror)"
  tmp="$(mktemp -d "$SB_PARENT/.$SB_BASE.build.XXXXXX")"
  chmod 755 "$tmp"
  touch "$tmp/$SB_MARKER_NAME"
  blog="$SB_PARENT/.$SB_BASE.build.log"
  sb_say "building Debian sid chroot with Asterisk from $mirror (about a minute, log: $blog)"
  if ! debootstrap --variant=minbase --include=asterisk,asterisk-modules sid "$tmp" "$mirror" >"$blog" 2>&1; then
    tail -n 30 "$blog" >&2 || true
    sb_kill_rooted_in "$tmp"
    sb_safe_rm "$tmp"
    sb_die "debootstrap failed (see $blog)"
  fi
  # A package's postinst may have started a daemon inside the new tree: stop it.
  sb_kill_rooted_in "$tmp"
  local m
  m="$(sb_mounts_under "$tmp")"
  [ -z "$m" ] || sb_die "debootstrap left mounts under $tmp: $m (unmount by hand, then rerun build)"
  [ -x "$tmp$SB_ASTERISK" ] || { sb_safe_rm "$tmp"; sb_die "asterisk binary missing in the new chroot"; }
  sb_chroot_extras "$tmp"
  local ver
  ver="$(chroot "$tmp" dpkg-query -W -f='${Version}' asterisk 2>/dev/null || echo unknown)"
  printf 'asterisk %s, built %s from %s\n' "$ver" "$(date -u +%FT%TZ)" "$mirror" >"$tmp/.cti110-complete"
  rm -f "$tmp/$SB_MARKER_NAME"
  mv -T "$tmp" "$SB_CHROOT"
  sb_say "chroot built: $SB_CHROOT (asterisk $ver)"
}

sb_kill_rooted_in() {
  local dir="$1" pids
  pids="$(sb_procs_rooted_in "$dir" | tr '\n' ' ')"
  [ -n "${pids// /}" ] || return 0
  sb_say "stopping processes left inside $dir: $pids"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  sleep 2
  pids="$(sb_procs_rooted_in "$dir" | tr '\n' ' ')"
  # shellcheck disable=SC2086
  [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Render config/asterisk/* and dialplan/* into the instance's etc dir.
SB_VARS=(AST_INSTANCE INSTANCE_DIR AST_SIP_PORT AST_HTTP_PORT AST_AMI_PORT AST_RTP_START AST_RTP_END AST_ICE_SUPPORT
  ARI_USER ARI_PASSWORD AMI_USER AMI_SECRET ARI_APP TRUNK110_ADDR TRUNK110_PORT TRUNK12345_ADDR TRUNK12345_PORT
  RECORDINGS_DIR AST_PHONE_EDGE)

sb_defaults() {
  AST_INSTANCE="$SB_INSTANCE"
  INSTANCE_DIR="$SB_INST_IN"
  : "${AST_SIP_PORT:=5060}" "${AST_HTTP_PORT:=8088}" "${AST_AMI_PORT:=5038}"
  : "${AST_RTP_START:=10000}" "${AST_RTP_END:=10999}"
  # ICE (rtp.conf icesupport): browser seats need it; it costs an ICE session on every call leg.
  : "${AST_ICE_SUPPORT:=yes}"
  case "$AST_ICE_SUPPORT" in yes|no) ;; *) sb_die "AST_ICE_SUPPORT must be yes or no (was '$AST_ICE_SUPPORT')" ;; esac
  : "${ARI_USER:=cti110}" "${ARI_PASSWORD:=cti110-dev-secret}"
  : "${AMI_USER:=cti110}" "${AMI_SECRET:=cti110-dev-secret}"
  : "${ARI_APP:=cti110}"
  : "${TRUNK110_ADDR:=127.0.0.2}" "${TRUNK110_PORT:=5061}"
  : "${TRUNK12345_ADDR:=127.0.0.3}" "${TRUNK12345_PORT:=5070}"
  : "${RECORDINGS_DIR:=$SB_INST_IN/spool/recording}"
  : "${AST_PHONE_EDGE:=}"
  RECORDINGS_DIR="${RECORDINGS_DIR%/}"
  case "$RECORDINGS_DIR" in /*) ;; *) sb_die "RECORDINGS_DIR must be an absolute path inside the chroot" ;; esac
  local v
  for v in AST_SIP_PORT AST_HTTP_PORT AST_AMI_PORT AST_RTP_START AST_RTP_END TRUNK110_PORT TRUNK12345_PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || sb_die "$v must be a port number, got '${!v}'"
  done
}

sb_render() {
  sb_need_root
  sb_is_built || sb_die "chroot not built yet: run '$0 build' (or start)"
  sb_defaults
  local src_dirs=("$ROOT_DIR/config/asterisk" "$ROOT_DIR/dialplan")
  local out="$SB_INST/etc.render.$$"
  rm -rf "$out"
  mkdir -p "$out" "$SB_INST"/{run,spool/recording,spool/tmp,log/cdr-csv,lib-db} "$SB_CHROOT$RECORDINGS_DIR"
  shopt -u patsub_replacement 2>/dev/null || true   # bash 5.2: '&' in a replacement stays literal
  local dir f name content v left=""
  for dir in "${src_dirs[@]}"; do
    for f in "$dir"/*; do
      [ -f "$f" ] || continue
      name="$(basename "$f")"
      case "$name" in *.conf) ;; *) continue ;; esac
      [ ! -e "$out/$name" ] || sb_die "$name exists in both config/asterisk and dialplan"
      content="$(cat "$f")"
      for v in "${SB_VARS[@]}"; do
        content="${content//@@$v@@/${!v}}"
      done
      printf '%s\n' "$content" >"$out/$name"
    done
  done
  # Extra files for one instance only (the benchmark's 100 seats, its baseline queues): a file
  # named like a project file is appended to it, so the project's config keeps its meaning and
  # the extra only adds sections; other files are added as they are.
  if [ -n "${AST_EXTRA_CONF_DIR:-}" ]; then
    [ -d "$AST_EXTRA_CONF_DIR" ] || sb_die "AST_EXTRA_CONF_DIR $AST_EXTRA_CONF_DIR is not a folder"
    for f in "$AST_EXTRA_CONF_DIR"/*.conf; do
      [ -f "$f" ] || continue
      content="$(cat "$f")"
      for v in "${SB_VARS[@]}"; do
        content="${content//@@$v@@/${!v}}"
      done
      printf '\n; ---- added from %s\n%s\n' "$f" "$content" >>"$out/$(basename "$f")"
    done
  fi
  [ -z "${AST_PHONE_EDGE:-}" ] || sb_phones_at_edge "$out/pjsip.conf" || { rm -rf "$out"; exit 1; }
  left="$(grep -Hno '@@[A-Za-z0-9_]*@@' "$out"/* 2>/dev/null | sed "s|^$out/||" || true)"
  if [ -n "$left" ]; then
    rm -rf "$out"
    sb_die "unsubstituted placeholders (unknown names; known: ${SB_VARS[*]}):
$left"
  fi
  [ -f "$out/asterisk.conf" ] || { rm -rf "$out"; sb_die "config/asterisk/asterisk.conf missing"; }
  rm -rf "$SB_INST/etc"
  mv "$out" "$SB_INST/etc"
  : >"$SB_ENVFILE"
  for v in "${SB_VARS[@]}"; do
    case "$v" in *PASSWORD|*SECRET) continue ;; esac
    printf '%s=%q\n' "$v" "${!v}" >>"$SB_ENVFILE"
  done
  sb_say "rendered $(ls "$SB_INST/etc" | wc -l) files into $SB_INST/etc"
  sb_prompts
}

# The follow-up prompts (scripts/make-prompts.sh) into the chroot's sounds, where Asterisk plays
# them from (sound:cti110-followup/<name>). Made first if missing; each file replaced by a rename,
# so another instance playing it meanwhile never reads half a file.
sb_prompts() {
  local src="$ROOT_DIR/var/sounds/cti110-followup" dst="$SB_CHROOT/usr/share/asterisk/sounds/cti110-followup" f
  if [ ! -f "$src/thanks.wav" ]; then
    bash "$ROOT_DIR/scripts/make-prompts.sh" "$src" >/dev/null || { sb_say "WARNING: no follow-up prompts (scripts/make-prompts.sh failed): follow-up calls will be silent"; return 0; }
  fi
  mkdir -p "$dst"
  for f in "$src"/*.wav; do
    cmp -s "$f" "$dst/$(basename "$f")" && continue
    cp "$f" "$dst/.$(basename "$f").$$" && mv -f "$dst/.$(basename "$f").$$" "$dst/$(basename "$f")"
  done
}

# Edge mode (issue #16): AST_PHONE_EDGE=ADDR:PORT is the SIP edge's phones' socket
# (scripts/sip-edge.sh, EDGE_PHONE_*), where the phones register instead of at this node. Each SIP
# phone's AOR gets a permanent contact there, sip:<phone>@ADDR:PORT, and takes no registration
# (max_contacts = 0: a phone still pointed at the node is refused, not half-registered). Dial
# strings (PJSIP/1001), channel names and device states stay those of single-node mode: Asterisk
# sends the call and its qualify OPTIONS to the edge, which forwards them to wherever the phone
# registered, and stays silent for a phone not registered (Unavailable, as without the edge).
# Browser seats (webrtc-seat-endpoint) keep registering here over WebSocket: the edge speaks UDP.
sb_phones_at_edge() {
  local file="$1" addr="${AST_PHONE_EDGE%:*}" port="${AST_PHONE_EDGE##*:}"
  [[ "$AST_PHONE_EDGE" == *:* && "$addr" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ && "$port" =~ ^[0-9]{1,5}$ ]] ||
    { echo "asterisk-sandbox[$SB_INSTANCE]: ERROR: AST_PHONE_EDGE must be ADDR:PORT (the edge's phones' socket), got '$AST_PHONE_EDGE'" >&2; return 1; }
  awk -v edge="$AST_PHONE_EDGE" '
    /^\[[^]]+\]\(webrtc-seat-endpoint\)/ { name = $0; sub(/^\[/, "", name); sub(/\].*/, "", name); browser[name] = 1 }
    { print }
    /^\[[^]]+\]\(phone-aor\)[ \t]*$/ {
      name = $0; sub(/^\[/, "", name); sub(/\].*/, "", name)
      if (!(name in browser)) { printf "contact = sip:%s@%s\nmax_contacts = 0\n", name, edge; n++ }
    }
    END { printf "; edge mode: %d phones reached through the SIP edge at %s\n", n, edge }' "$file" >"$file.edge"
  mv "$file.edge" "$file"
}

# ---------------------------------------------------------------------------------------------
# Processes. The running Asterisk is found by its exact command line and its root directory,
# so a stale or missing pid file never hides (or invents) a running instance.
sb_server_cmdline() { printf '%s -C %s -f' "$SB_ASTERISK" "$SB_CONF_IN"; }

sb_find_pids() {
  local want p root cmd
  want="$(sb_server_cmdline)"
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
    [ "${cmd% }" = "$want" ] || continue
    root="$(readlink "$p/root" 2>/dev/null)" || continue
    [ "$root" = "$SB_CHROOT" ] && echo "${p#/proc/}"
  done
}

sb_running() { [ -n "$(sb_find_pids)" ]; }

sb_cli() {
  sb_running || { echo "asterisk-sandbox[$SB_INSTANCE]: not running" >&2; return 3; }
  timeout "${SB_CLI_TIMEOUT:-30}" chroot "$SB_CHROOT" "$SB_ASTERISK" -C "$SB_CONF_IN" -rx "$1"
}

sb_wait_gone() {   # seconds
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt "$deadline" ]; do
    sb_running || return 0
    sleep 0.2
  done
  ! sb_running
}

sb_stop_procs() {
  local pids
  pids="$(sb_find_pids | tr '\n' ' ')"
  if [ -n "${pids// /}" ]; then
    sb_say "stopping asterisk (pid ${pids% })"
    SB_CLI_TIMEOUT=5 sb_cli 'core stop gracefully' >/dev/null 2>&1 || true
    if ! sb_wait_gone 3; then
      SB_CLI_TIMEOUT=5 sb_cli 'core stop now' >/dev/null 2>&1 || true
    fi
    if ! sb_wait_gone 5; then
      pids="$(sb_find_pids | tr '\n' ' ')"
      sb_say "sending SIGTERM to $pids"
      # shellcheck disable=SC2086
      [ -z "${pids// /}" ] || kill -TERM $pids 2>/dev/null || true
    fi
    if ! sb_wait_gone 5; then
      pids="$(sb_find_pids | tr '\n' ' ')"
      sb_say "sending SIGKILL to $pids"
      # shellcheck disable=SC2086
      [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
      sb_wait_gone 5 || sb_die "asterisk (pid $pids) does not die"
    fi
  fi
  # The unshare wrapper exits with its child; wait for it so its mount namespace is gone.
  local w
  if [ -f "$SB_INST/wrapper.pid" ]; then
    w="$(cat "$SB_INST/wrapper.pid")"
    for _ in $(seq 50); do
      [ -d "/proc/$w" ] && grep -q unshare "/proc/$w/cmdline" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$SB_PIDFILE" "$SB_INST/wrapper.pid" "$SB_INST/run/asterisk.ctl" "$SB_INST/run/asterisk.pid"
}

# Ports this instance needs, as "proto addr:port" lines.
sb_ports() {
  printf 'udp 127.0.0.1:%s\ntcp 127.0.0.1:%s\ntcp 127.0.0.1:%s\n' "$AST_SIP_PORT" "$AST_HTTP_PORT" "$AST_AMI_PORT"
}

# Print the ports of sb_ports that are bound (by pid $1 if given, else by anyone).
sb_bound_ports() {
  command -v ss >/dev/null || return 0
  local want_pid="${1:-}" proto addr line
  while read -r proto addr; do
    line="$(ss -H -lnp -"${proto:0:1}" "sport = :${addr##*:}" 2>/dev/null | awk -v a="$addr" '$5 == a || $4 == a')"
    [ -n "$line" ] || continue
    if [ -z "$want_pid" ] || grep -q "pid=$want_pid," <<<"$line"; then echo "$proto $addr"; fi
  done < <(sb_ports)
}

sb_start() {
  sb_need_root
  sb_lock "inst-$SB_INSTANCE"
  local pids
  pids="$(sb_find_pids | tr '\n' ' ')"
  if [ -n "${pids// /}" ]; then
    sb_say "already running (pid ${pids% })"
    return 0
  fi
  ( sb_build )   # subshell: the build lock is released before we wait for the boot
  sb_render
  rm -f "$SB_INST/run/asterisk.ctl" "$SB_PIDFILE"
  : >"$SB_LOG"
  # shellcheck disable=SC1090
  . "$SB_ENVFILE"
  local busy
  busy="$(sb_bound_ports | tr '\n' ' ')"
  [ -z "${busy// /}" ] || sb_die "ports already in use: $busy(another instance? pick other AST_*_PORT values)"
  sb_say "starting asterisk (SIP 127.0.0.1:$AST_SIP_PORT, HTTP/ARI 127.0.0.1:$AST_HTTP_PORT, AMI 127.0.0.1:$AST_AMI_PORT, RTP $AST_RTP_START-$AST_RTP_END)"
  # Private mount namespace: /proc is mounted for Asterisk only and vanishes with it.
  setsid nohup unshare --mount --propagation private --kill-child=SIGTERM -- \
    chroot "$SB_CHROOT" /bin/sh -c "mount -t proc proc /proc && exec $(sb_server_cmdline)" \
    >>"$SB_LOG" 2>&1 </dev/null {SB_LOCK_FD}>&- &
  echo $! >"$SB_INST/wrapper.pid"
  local deadline=$((SECONDS + ${AST_BOOT_TIMEOUT:-60})) pid="" ok=0
  while [ $SECONDS -lt "$deadline" ]; do
    pid="$(sb_find_pids | head -n1)"
    if [ -n "$pid" ]; then
      echo "$pid" >"$SB_PIDFILE"
      if [ -S "$SB_INST/run/asterisk.ctl" ] &&
        SB_CLI_TIMEOUT=$((deadline - SECONDS + 1)) sb_cli 'core waitfullybooted' >/dev/null 2>&1; then
        ok=1
        break
      fi
    elif [ -n "$(cat "$SB_PIDFILE" 2>/dev/null)" ] || ! kill -0 "$(cat "$SB_INST/wrapper.pid")" 2>/dev/null; then
      break   # it was running and died, or the wrapper failed
    fi
    sleep 0.3
  done
  if [ "$ok" != 1 ]; then
    echo "asterisk-sandbox[$SB_INSTANCE]: asterisk did not boot; last lines of $SB_LOG and messages:" >&2
    tail -n 30 "$SB_LOG" >&2 || true
    tail -n 30 "$SB_INST/log/messages.log" >&2 2>/dev/null || true
    sb_stop_procs
    sb_die "start failed"
  fi
  if command -v ss >/dev/null; then
    local bound
    bound="$(sb_bound_ports "$pid" | wc -l)"
    if [ "$bound" -ne "$(sb_ports | wc -l)" ]; then
      echo "asterisk-sandbox[$SB_INSTANCE]: asterisk booted but did not bind all its ports; bound:" >&2
      sb_bound_ports "$pid" >&2
      sb_stop_procs
      sb_die "start failed (ports: $(sb_ports | tr '\n' ' '))"
    fi
  fi
  sb_say "fully booted (pid $pid)"
}

sb_stop() {
  sb_need_root
  sb_lock "inst-$SB_INSTANCE"
  if ! sb_running; then
    sb_stop_procs
    sb_say "not running"
    return 0
  fi
  sb_stop_procs
  local m
  m="$(sb_mounts_under "$SB_CHROOT")"
  [ -z "$m" ] || echo "asterisk-sandbox[$SB_INSTANCE]: WARNING: still mounted under the chroot: $m" >&2
  sb_say "stopped"
}

sb_status() {
  local pid
  pid="$(sb_find_pids | head -n1)"
  if [ -f "$SB_ENVFILE" ]; then
    # shellcheck disable=SC1090
    . "$SB_ENVFILE"
  else
    sb_defaults
  fi
  local ports="SIP udp 127.0.0.1:$AST_SIP_PORT, HTTP/ARI 127.0.0.1:$AST_HTTP_PORT (app $ARI_APP), AMI 127.0.0.1:$AST_AMI_PORT, RTP $AST_RTP_START-$AST_RTP_END"
  if [ -n "$pid" ]; then
    echo "asterisk-sandbox[$SB_INSTANCE]: running (pid $pid): $ports"
    return 0
  fi
  echo "asterisk-sandbox[$SB_INSTANCE]: stopped ($ports)"
  return 3
}

sb_paths() {
  sb_defaults
  cat <<EOF
CTI110_CHROOT=$SB_CHROOT
AST_INSTANCE=$SB_INSTANCE
INSTANCE_DIR=$SB_INST
ETC_DIR=$SB_INST/etc
LOG_DIR=$SB_INST/log
CONSOLE_LOG=$SB_LOG
RECORDINGS_DIR=$RECORDINGS_DIR
RECORDINGS_HOST_DIR=$SB_CHROOT$RECORDINGS_DIR
EOF
}

# Stop the instance, then remove its folder inside the chroot (config, logs, spool). Refuses if
# anything is mounted below it: rm -rf through a mount would reach outside the chroot.
sb_destroy() {
  sb_stop
  [ -d "$SB_INST" ] || return 0
  if findmnt -rn -o TARGET | grep -qF "$SB_INST"; then
    sb_die "something is mounted under $SB_INST; not removing it"
  fi
  rm -rf -- "$SB_INST"
  sb_say "removed $SB_INST"
}
