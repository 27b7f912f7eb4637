// Why a monitoring or recall request is refused: stable codes, mapped to HTTP in src/http/errors.ts.

class MonitoringError extends Error {
  override readonly name = this.constructor.name;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The incident or seat named has no call with a call-taker on the line. */
export class CallNotLive extends MonitoringError {
  constructor(what: string) {
    super('CALL_NOT_LIVE', `${what} has no call in progress with a call-taker`);
  }
}

export class SupervisorNotFound extends MonitoringError {
  constructor(id: string) {
    super('SUPERVISOR_NOT_FOUND', `no supervisor ${id} in monitoring.supervisors`);
  }
}

/** The supervisor's phone is not registered, or they are monitoring another call already. */
export class SupervisorUnavailable extends MonitoringError {
  constructor(id: string, why: string) {
    super('SUPERVISOR_UNAVAILABLE', `supervisor ${id} ${why}`);
  }
}

export class MonitoringNotFound extends MonitoringError {
  constructor(id: string) {
    super('MONITORING_NOT_FOUND', `no monitoring session ${id}`);
  }
}

/** The session exists but cannot take this request now (still ringing, already ended). */
export class MonitoringState extends MonitoringError {
  constructor(message: string) {
    super('MONITORING_STATE', message);
  }
}

export class RecallUnavailable extends MonitoringError {
  constructor(incident: string, why: string) {
    super('RECALL_UNAVAILABLE', `instant recall of ${incident}: ${why}`);
  }
}

/** A recall of this call is playing, or the last one was just now: asked again too soon (429). */
export class RecallTooSoon extends MonitoringError {
  constructor(
    incident: string,
    readonly retryAfterMs: number,
  ) {
    super('RECALL_TOO_SOON', `instant recall of ${incident}: one is playing or was just played; try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}
