// How a follow-up reaches the caller: a small port, so that voice (voice-channel.ts) and, later,
// SMS (the gateway of src/texts/) are interchangeable. The service (service.ts) knows only this.

/** The three questions, in the order they are asked (1 poor .. 5 excellent). */
export const QUESTIONS = ['speed', 'attitude', 'efficiency'] as const;
export type Question = (typeof QUESTIONS)[number];

/** A score per question; null: the caller gave none (no key, or only wrong keys). */
export type Answers = Record<Question, number | null>;

export interface AttemptRequest {
  followUpId: number;
  incidentId: number;
  incident: string;
  /** Whom to ask: the caller's number as the incident has it. */
  number: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** reached: the caller took the survey (some answers may be null); otherwise why nobody was. */
export type AttemptOutcome = { reached: true; answers: Answers } | { reached: false; why: string };

export interface FollowUpChannel {
  /** Stored with the follow-up and shown on the timeline: 'voice', 'sms'. */
  readonly name: string;
  /** One attempt; resolves when it is over (never rejects: a failure is an outcome). */
  ask(request: AttemptRequest): Promise<AttemptOutcome>;
}

/** A score of 2 or less on any question: the unit is asked to look into it. */
export const unsatisfied = (answers: Answers): boolean => QUESTIONS.some((q) => answers[q] !== null && answers[q] <= 2);
