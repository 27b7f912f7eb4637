// Browser seats: the console page is the call-taker's phone (WebRTC, web/phone.js). What the page
// needs to register the seat's endpoint with Asterisk, built once from the configuration. The
// password is handed only to the call-taker signed in at the seat (http/routes/seat-phone.ts), so
// nobody types it in and it never sits in the page's files.
import type { Delivery } from './seats';
import { SeatNotFound } from './seats';

export class NotABrowserSeat extends Error {
  readonly code = 'NOT_A_BROWSER_SEAT';
  override readonly name = this.constructor.name;
  constructor(id: string) {
    super(`seat ${id} has a SIP phone, not a browser phone (seats[].webrtc is not set)`);
  }
}

export interface SeatPhone {
  seat: string;
  /** SIP over WebSocket: Asterisk's HTTP server, path /ws. */
  wsUrl: string;
  /** The seat's address of record, e.g. sip:1101@127.0.0.1. */
  uri: string;
  /** Digest user name and password of the seat's endpoint (pjsip.conf). */
  user: string;
  password: string;
  /** ring: each call rings the page; nailed: one connection for the shift, calls switched in. */
  delivery: Delivery;
  /** The page answers an offered call at once (the 3 s target); false: the call-taker presses Answer. */
  autoAnswer: boolean;
}

interface SeatEntry {
  id: string;
  endpoint: string;
  autoAnswer: boolean;
  delivery?: Delivery;
  webrtc?: { password: string };
}

/**
 * ws(s):// of Asterisk's HTTP server from ARI's http(s):// URL: the same server carries both
 * (http.conf), so a sandbox on any port needs no second setting.
 */
export function wsUrlFromAri(ariUrl: string): string {
  const url = new URL(ariUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class SeatPhones {
  private readonly byId = new Map<string, SeatEntry>();
  private readonly defaultDelivery: Delivery;
  readonly wsUrl: string;

  constructor(seats: readonly SeatEntry[], settings: { wsUrl: string; ariUrl: string; defaultDelivery: Delivery }) {
    for (const seat of seats) this.byId.set(seat.id, seat);
    this.wsUrl = settings.wsUrl || wsUrlFromAri(settings.ariUrl);
    this.defaultDelivery = settings.defaultDelivery;
  }

  /** The origin the pages must be allowed to connect to (their CSP), when any seat is a browser. */
  origins(): string[] {
    return [...this.byId.values()].some((s) => s.webrtc) ? [new URL(this.wsUrl).origin] : [];
  }

  /** Throws SeatNotFound (404) or NotABrowserSeat (404). */
  phoneOf(seatId: string): SeatPhone {
    const seat = this.byId.get(seatId);
    if (!seat) throw new SeatNotFound(seatId);
    if (!seat.webrtc) throw new NotABrowserSeat(seatId);
    const user = seat.endpoint.replace(/^PJSIP\//, '');
    return { seat: seat.id, wsUrl: this.wsUrl, uri: `sip:${user}@${new URL(this.wsUrl).hostname}`, user, password: seat.webrtc.password, delivery: seat.delivery ?? this.defaultDelivery, autoAnswer: seat.autoAnswer };
  }
}
