// What the live stream sends, one JSON object per WebSocket message. Declared once, here.
import type { LiveFigures } from '../stats/snapshot';
import type { TimelineKind } from '../incidents/timeline-kinds';

export interface SeatView {
  id: string;
  state: string;
  reason: string | null;
  since: number;
  reachable: boolean;
}

export interface CallView {
  number: string;
  callerNumber: string;
  arrivedAt: number;
  answeredAt: number | null;
  seatId: string | null;
  state: string;
}

export type LiveMessage =
  | { type: 'hello'; user: { name: string; role: string; seat: string | null } | null }
  | ({ type: 'queue'; oldestArrivedAt: number | null } & LiveFigures)
  | { type: 'seat'; seat: SeatView }
  | { type: 'incident'; incident: CallView; kind: TimelineKind; detail: Record<string, unknown>; at: number }
  | { type: 'alert'; alert: Alert };

export interface Alert {
  /** service_error: the service contained an error it did not foresee (events/faults.ts). */
  kind: 'major_incident' | 'no_officer' | 'no_interpreter' | 'abandoned' | 'seat_no_answer' | 'service_error' | 'recording_failed' | 'store_failing' | 'store_recovered';
  at: number;
  incident: string | null;
  /** The seat concerned: its call-taker sees the alert too. */
  seat: string | null;
  message: string;
}
