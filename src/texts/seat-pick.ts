// Which seat a waiting text goes to. Pure policy, no I/O.
//
// By default a text occupies a seat as a call does: it goes to the ready seat idle longest
// (the queue's own pickSeat) and the seat is on a call until it lets the text go. With
// texts.withVoiceCall a seat holds one text beside its voice call: a text goes to a logged-in
// seat that holds no text, a ready one first (it is not talking), and the seat's voice state is
// left alone, so the next call still rings it.
import { pickSeat, type SeatView } from '../queue/distribution';

const WORKING = new Set(['ready', 'ringing', 'on_call', 'wrap_up']);

export function pickTextSeat<S extends SeatView>(seats: readonly S[], holdingText: ReadonlySet<string>, withVoiceCall: boolean): S | undefined {
  if (!withVoiceCall) return pickSeat(seats, holdingText);
  let best: S | undefined;
  const rank = (s: S) => (s.state === 'ready' ? 0 : 1);
  for (const seat of seats) {
    if (!WORKING.has(seat.state) || holdingText.has(seat.id)) continue;
    if (!best || rank(seat) < rank(best) || (rank(seat) === rank(best) && (seat.idleSince < best.idleSince || (seat.idleSince === best.idleSince && seat.id < best.id)))) best = seat;
  }
  return best;
}
