// Errors of the follow-up area, each with its HTTP status (http/errors.ts reads statusCode).
export class FollowUpError extends Error {
  override readonly name = this.constructor.name;
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const followUpNotFound = (id: number) => new FollowUpError(404, 'FOLLOW_UP_NOT_FOUND', `follow-up ${id} not found`);
