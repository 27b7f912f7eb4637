// Prometheus figures of the incidents' write-behind: how much waits to be written, how long a
// batch takes, and whether the store takes writes at all. Joined to the app's registry by
// statsRoutes (extraMetrics), like stats/service-time.ts.
import { Gauge, Histogram, type Metric } from 'prom-client';
import type { IncidentWriter } from './incident-writer';

export function createWriterMetrics<Tx>(writer: IncidentWriter<Tx>): Metric[] {
  const depth: Gauge = new Gauge({
    name: 'cti110_store_write_queue_depth',
    help: 'Incident and timeline writes acknowledged but not yet in the store (grows while the store fails)',
    registers: [],
    collect: () => depth.set(writer.depth()),
  });
  const up: Gauge = new Gauge({
    name: 'cti110_store_writes_up',
    help: '1 while incident writes go through, 0 while the store fails (locked, full) or writes stall',
    registers: [],
    collect: () => up.set(writer.status().up ? 1 : 0),
  });
  const latency = new Histogram({
    name: 'cti110_store_write_seconds',
    help: 'Time to commit one batch of incident writes (one transaction)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [],
  });
  writer.on('committed', ({ ms }) => latency.observe(ms / 1000));
  return [depth, up, latency];
}
