// Interpreting errors with stable codes; src/http/errors.ts maps the codes to HTTP statuses.

/** No interpreter lines are configured for this language (config interpreting.languages). */
export class LanguageNotOffered extends Error {
  readonly code = 'LANGUAGE_NOT_OFFERED';
  override readonly name = this.constructor.name;
  constructor(language: string, offered: readonly string[]) {
    super(`no interpreter line for language ${JSON.stringify(language)}; offered: ${offered.join(', ') || 'none'}`);
  }
}

/** The incident has no call with a call-taker on the line to bring an interpreter into. */
export class NoCallToInterpret extends Error {
  readonly code = 'NO_CALL_TO_INTERPRET';
  override readonly name = this.constructor.name;
}

/** An interpreter is already being rung or on the line for this call: one at a time. */
export class InterpreterPresent extends Error {
  readonly code = 'INTERPRETER_PRESENT';
  override readonly name = this.constructor.name;
}

/** Nothing to dismiss: no interpreter is rung or on the line for this call. */
export class NoInterpreter extends Error {
  readonly code = 'NO_INTERPRETER';
  override readonly name = this.constructor.name;
}
