// Schema history: append only. Each entry runs once, in its own transaction, in order.
// (The spot-check and retention entries keep their SQL next to their repositories: never edit
// a released entry, wherever it lives; add a new one.)
import { SPOT_CHECKS_MIGRATION } from './spot-checks-repo';
import { RETENTION_MIGRATION } from './retention-repo';
import { OFFICERS_MIGRATION } from './officers-repo';
import { OUTBOX_MIGRATION } from './outbox-repo';
import { DISPATCH_MIGRATION } from './dispatch-repo';

export const MIGRATIONS: string[] = [
  `
  CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    number        TEXT    NOT NULL UNIQUE,   -- human-readable: YYYYMMDD-NNNNNN
    caller_number TEXT    NOT NULL,          -- exactly as received, possibly empty
    caller_name   TEXT    NOT NULL,
    trunk         TEXT    NOT NULL,          -- how it came in: '110', 'from12345', ...
    channel_id    TEXT    NOT NULL UNIQUE,   -- the caller's ARI channel id
    state         TEXT    NOT NULL,          -- the call state machine's state
    arrived_at    INTEGER NOT NULL,          -- ms since epoch, when the call entered Stasis
    ended_at      INTEGER
  );
  CREATE INDEX incidents_arrived ON incidents (arrived_at);
  CREATE INDEX incidents_open ON incidents (ended_at) WHERE ended_at IS NULL;

  CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,            -- ms since epoch
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}' -- JSON
  );
  CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

  CREATE TABLE incident_sequences (
    day  TEXT    PRIMARY KEY,                -- YYYYMMDD, local time of the centre
    last INTEGER NOT NULL
  );
  `,
  // The SIP From header as received, whole: Asterisk's caller ID fields stop at 79 bytes.
  `ALTER TABLE incidents ADD COLUMN caller_raw TEXT NOT NULL DEFAULT '';`,
  // The queue: timing for the service level, who answered, and seats that a restart finds again.
  `
  ALTER TABLE incidents ADD COLUMN priority INTEGER NOT NULL DEFAULT 100;
  ALTER TABLE incidents ADD COLUMN offered_at INTEGER;
  ALTER TABLE incidents ADD COLUMN answered_at INTEGER;
  ALTER TABLE incidents ADD COLUMN abandoned_at INTEGER;
  ALTER TABLE incidents ADD COLUMN seat_id TEXT;
  ALTER TABLE incidents ADD COLUMN delivery TEXT;
  ALTER TABLE incidents ADD COLUMN seat_channel_id TEXT;
  ALTER TABLE incidents ADD COLUMN bridge_id TEXT;

  CREATE TABLE seats (
    id         TEXT    PRIMARY KEY,
    state      TEXT    NOT NULL,
    reason     TEXT,
    since      INTEGER NOT NULL,
    idle_since INTEGER NOT NULL
  );

  CREATE TABLE seat_events (
    id      INTEGER PRIMARY KEY,
    seat_id TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,             -- state | no_answer | unreachable | ...
    detail  TEXT    NOT NULL DEFAULT '{}'
  );
  CREATE INDEX seat_events_at ON seat_events (at);

  CREATE TABLE abandoned_calls (
    incident_id     INTEGER PRIMARY KEY REFERENCES incidents (id),
    at              INTEGER NOT NULL,
    wait_ms         INTEGER NOT NULL,
    position        INTEGER NOT NULL,     -- 1 = head of the queue when the caller hung up
    callback_at     INTEGER,              -- first callback attempt (NENA: at least one)
    callback_seat   TEXT,
    callback_result TEXT
  );
  `,
  // Recordings: one row per finished file, in order within its incident; the access log is
  // append-only (no route updates or deletes it).
  `
  CREATE TABLE recordings (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    seq         INTEGER NOT NULL,          -- 1, 2, ... in the order the pieces were recorded
    name        TEXT    NOT NULL UNIQUE,   -- Asterisk's recording name
    path        TEXT    NOT NULL,          -- relative to the storage folder: YYYY/MM/DD/<incident>/<seq>.wav
    source      TEXT    NOT NULL,          -- call | bridge | fallback
    seat_id     TEXT,
    started_at  INTEGER NOT NULL,          -- ms since epoch
    ended_at    INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    UNIQUE (incident_id, seq)
  );
  CREATE INDEX recordings_started ON recordings (started_at);

  CREATE TABLE recording_access (
    id           INTEGER PRIMARY KEY,
    recording_id INTEGER NOT NULL REFERENCES recordings (id),
    at           INTEGER NOT NULL,
    who          TEXT    NOT NULL,
    action       TEXT    NOT NULL,         -- listen | download
    remote       TEXT    NOT NULL,
    range        TEXT                      -- the Range header, when one was sent
  );
  CREATE INDEX recording_access_recording ON recording_access (recording_id);
  `,
  SPOT_CHECKS_MIGRATION,
  RETENTION_MIGRATION,
  OFFICERS_MIGRATION,
  // Triage by the call-taker, and the 12345 case a handed-back call refers to.
  `
  ALTER TABLE incidents ADD COLUMN police INTEGER;      -- 1 police matter, 0 not, NULL not yet classified
  ALTER TABLE incidents ADD COLUMN category TEXT;
  ALTER TABLE incidents ADD COLUMN summary TEXT;
  ALTER TABLE incidents ADD COLUMN case_ref TEXT;       -- X-12345-Case of a call handed back by 12345
  `,
  OUTBOX_MIGRATION,
  // A nailed seat's connection (its ARI channel), so that a restarted service takes it back.
  `ALTER TABLE seats ADD COLUMN nailed_channel TEXT;`,
  DISPATCH_MIGRATION,
  // Sign-in: users with a role (a call-taker works at one seat), sessions by the SHA-256 of their
  // token (a stolen database copy holds no usable token), and every sign-in attempt for audit.
  `
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT    NOT NULL CHECK (role IN ('call-taker', 'supervisor', 'admin')),
    seat_id       TEXT,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires ON sessions (expires_at);
  CREATE TABLE sign_ins (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    remote  TEXT    NOT NULL,
    outcome TEXT    NOT NULL             -- ok | bad_password | unknown_user | disabled | throttled
  );
  `,  // The officer role: an officer's terminal signs in bound to one officer id. SQLite cannot change
  // a CHECK constraint, so the table is rebuilt with the same ids: sessions keep pointing at their
  // users (database.ts migrates with enforcement off and checks every reference before commit).
  `
  CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT    NOT NULL CHECK (role IN ('call-taker', 'supervisor', 'admin', 'officer')),
    seat_id       TEXT,
    officer_id    TEXT,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    CHECK ((role = 'officer') = (officer_id IS NOT NULL))
  );
  INSERT INTO users_new (id, name, role, seat_id, password_hash, created_at, disabled)
    SELECT id, name, role, seat_id, password_hash, created_at, disabled FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;
  `,
  // Refused sign-ins are aggregated (one row per key and window, with a count: a flood must not
  // fill the disk), and "has this name signed in from this address before" is asked per attempt.
  `
  ALTER TABLE sign_ins ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
  CREATE INDEX sign_ins_known_good ON sign_ins (name COLLATE NOCASE, remote) WHERE outcome = 'ok';
  `,
];
