// Dispatch errors with stable codes; src/http/errors.ts maps the codes to HTTP statuses.
// Grid and roster files that do not hold up throw ConfigError instead: they stop the start.

export class OfficerNotFound extends Error {
  readonly code = 'OFFICER_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(id: string) {
    super(`no officer ${JSON.stringify(id)}`);
  }
}

export class PoleNotFound extends Error {
  readonly code = 'POLE_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(code: string) {
    super(`no street-light pole ${JSON.stringify(code)} in the pole register`);
  }
}

/** A location that cannot be used: out of range, unparseable, an unsupported shape. */
export class LocationInvalid extends Error {
  readonly code = 'LOCATION_INVALID';
  override readonly name = this.constructor.name;
}
