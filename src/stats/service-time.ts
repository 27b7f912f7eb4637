// The service's own time per call: from the caller's StasisStart reaching us to the call being
// offered to a seat (the seat leg's originate sent, or the switch into a nailed connection).
// Everything in between is ours (incident row, timeline stamps, queue), so this is the figure to
// watch when distribution gets slower than Asterisk's own Queue(). A sliding window, so that a
// scrape right after a load test describes that test, not the whole life of the process.
import { Summary } from 'prom-client';

export function createServiceTime(): Summary {
  return new Summary({
    name: 'cti110_stasis_to_offer_seconds',
    help: "Time from a caller's StasisStart to its first offer to a seat (originate sent, or nailed switch), last 60 s",
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 60,
    ageBuckets: 6,
    registers: [], // joins the app's registry in statsRoutes (one registry per app)
  });
}
