// What the queue deals in: a waiting call, the offer of it to one seat, and what the queue tells
// the call flow about offers (calls/call-service.ts listens).
import type { Seat } from './seats';

export interface QueueSettings {
  ringNoAnswerMs: number;
  wrapUpMs: number;
  overflowAfterMs: number;
  overflowEndpoint: string;
}

export interface QueuedCall {
  channelId: string;
  incident: string;
  callerNumber: string;
  priority: number;
  arrivedAt: number;
  enqueuedAt: number;
  /** 'text': a text report (src/texts/): it needs no media, so no leg is rung; the TextDesk delivers it. */
  media?: 'text';
}

/** How a waiting text reaches a seat: the texts area decides which seat and what taking it means. */
export interface TextDesk {
  pick(seats: Seat[]): Seat | undefined;
  deliver(call: QueuedCall, seat: Seat): void;
  /** The seat holds a text: restart reconciliation must not take it for an orphan on_call seat. */
  holds(seat: Seat): boolean;
}

/** One leg ringing for one call: a seat, or the overflow target. */
export interface Offer {
  legId: string;
  call: QueuedCall;
  seat: Seat | undefined; // undefined: the overflow target
  /** ring: a new leg rings the seat; nailed: the seat's permanent connection; overflow. */
  delivery: 'ring' | 'nailed' | 'overflow';
  startedAt: number;
  answered: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface QueueEvents {
  offered: [Offer];
  /** The first answer for a call; every other offer for it is withdrawn. */
  answered: [Offer];
  offer_failed: [Offer, string];
  /** The answered leg hung up (the call-taker ended the call). */
  leg_hung_up: [Offer];
}
