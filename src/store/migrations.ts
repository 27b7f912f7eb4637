// Schema history: append only. Each entry runs once, in its own transaction, in order.
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
];
