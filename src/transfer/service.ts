// Triage and hand-over: the call-taker classifies the incident; non-police categories mapped to
// 12345 can be hot-transferred, with the case data handed to 12345's platform (durably).
import type { Incidents, IncidentRow } from '../incidents/incidents';
import { TransferRefused, type HotTransfer } from './hot-transfer';
import type { Outbox } from '../outbox/outbox';

export class BadClassification extends Error {
  readonly code = 'BAD_CLASSIFICATION';
  override readonly name = this.constructor.name;
}

/** The durable hand-over (outbox); '' URL means 12345 has no platform to notify. */
export interface Handover {
  send(incident: IncidentRow): Promise<void>;
}

/** The case data 12345's platform receives with every transfer, through the durable outbox. */
export function handoverThroughOutbox(outbox: Outbox, url: string, token: string): Handover {
  return {
    send: async (incident) => {
      if (!url) return;
      await outbox.enqueue({
        kind: 'transfer12345',
        url,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        body: { incident: incident.number, callerNumber: incident.callerNumber, category: incident.category, summary: incident.summary, arrivedAt: incident.arrivedAt },
        // One hand-over per incident, however often the transfer is retried.
        key: `transfer12345-${incident.number}`,
      });
    },
  };
}

export class TransferService {
  constructor(
    private readonly incidents: Incidents,
    private readonly hot: HotTransfer,
    private readonly categories: Record<string, '12345' | 'police'>,
    private readonly handover: Handover,
    /** Told of every classification (dispatch/alerts.ts: major incidents alert supervisors). */
    private readonly onClassified: (row: IncidentRow) => Promise<void> = async () => undefined,
  ) {}

  /** "Unclear jurisdiction" and every police category stay with the police, whatever is said. */
  async classify(number: string, c: { police: boolean; category?: string; summary?: string }): Promise<IncidentRow> {
    const category = c.category ?? null;
    if (category !== null && !(category in this.categories)) {
      throw new BadClassification(`unknown category ${JSON.stringify(category)}; known: ${Object.keys(this.categories).join(', ')}`);
    }
    if (!c.police && category === null) throw new BadClassification('a call that is not a police matter needs a category');
    const police = c.police || (category !== null && this.categories[category] === 'police');
    const row = await this.incidents.classify(number, { police, category, summary: c.summary ?? null });
    await this.onClassified(row);
    return row;
  }

  async transfer(number: string): Promise<void> {
    const incident = await this.incidents.findByNumber(number);
    if (incident.police !== 0 || incident.category === null) throw new TransferRefused(`incident ${number} is not classified as a non-police matter: classify it first`);
    if (this.categories[incident.category] !== '12345') throw new TransferRefused(`category ${incident.category} stays with the police`);
    await this.hot.start(number);
    await this.handover.send(incident);
  }
}
