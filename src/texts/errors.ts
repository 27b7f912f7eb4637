// Text-report errors with stable codes; src/http/errors.ts maps the codes to HTTP statuses.

/** The webhook's signature is missing or does not match the body (wrong secret, changed body). */
export class BadSignature extends Error {
  readonly code = 'BAD_SIGNATURE';
  override readonly name = this.constructor.name;
}

/** The webhook's body is not a message the gateway sends: what is wrong, said plainly. */
export class BadInboundText extends Error {
  readonly code = 'BAD_TEXT';
  override readonly name = this.constructor.name;
}

/** Texts are off (no gateway secret configured): nothing is accepted, nothing sent. */
export class TextsOff extends Error {
  readonly code = 'TEXTS_OFF';
  override readonly name = this.constructor.name;
  constructor() {
    super('text reports are off: texts.secret is not configured');
  }
}

/** The incident has no text conversation. */
export class NoConversation extends Error {
  readonly code = 'NO_TEXT_CONVERSATION';
  override readonly name = this.constructor.name;
  constructor(incident: string) {
    super(`incident ${incident} has no text conversation`);
  }
}

/** The conversation cannot do that now (closed, not with this seat, ...). */
export class ConversationStateError extends Error {
  readonly code = 'TEXT_STATE';
  override readonly name = this.constructor.name;
}
