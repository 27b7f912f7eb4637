// Where a call's time goes, on /metrics (issue #15): every ARI request by operation and outcome,
// the requests waiting for or holding one of the pooled connections to Asterisk, and the AMI
// events that still reach us (they are turned off; a rising count means they are not), and the
// ARI events by type (Asterisk is asked for only those we act on: any other type is waste).
import { Gauge, Histogram, type Metric } from 'prom-client';

export interface CallPathSources {
  ariPending(): number;
  amiEvents(): number;
  ariEvents(): ReadonlyMap<string, number>;
}

export interface CallPathMetrics {
  metrics: Metric[];
  ariRequest(operation: string, outcome: string, seconds: number): void;
}

// From 1 ms (an idle Asterisk answers in 2-5 ms) to past the 5 s request timeout.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createCallPathMetrics(sources: CallPathSources): CallPathMetrics {
  const requests = new Histogram({
    name: 'cti110_ari_request_seconds',
    help: 'ARI REST requests by operation and outcome (ok, or the typed error code), queueing for a connection included',
    labelNames: ['operation', 'outcome'],
    buckets: BUCKETS,
    registers: [],
  });
  const pending: Gauge = new Gauge({
    name: 'cti110_ari_requests_pending',
    help: 'ARI requests sent and not answered yet (those waiting for a pooled connection included)',
    registers: [],
    collect: () => pending.set(sources.ariPending()),
  });
  const amiEvents: Gauge = new Gauge({
    name: 'cti110_ami_events_received',
    help: 'AMI events received since start (AMI events are turned off: this should not grow)',
    registers: [],
    collect: () => amiEvents.set(sources.amiEvents()),
  });
  const ariEvents: Gauge = new Gauge({
    name: 'cti110_ari_events_received',
    help: 'ARI events received since start, by type (Asterisk sends only the types cti110 acts on)',
    labelNames: ['type'],
    registers: [],
    collect: () => {
      for (const [type, count] of sources.ariEvents()) ariEvents.set({ type }, count);
    },
  });
  return {
    metrics: [requests, pending, amiEvents, ariEvents],
    ariRequest: (operation, outcome, seconds) => requests.observe({ operation, outcome }, seconds),
  };
}
