// An interpreter, however it is asked for (REST from the call-taker's console): which language
// (only those with configured lines), which incident, then the conference.
import type { Incidents } from '../incidents/incidents';
import type { InterpreterConference } from './conference';
import { LanguageNotOffered } from './errors';

export class InterpretingService {
  constructor(
    private readonly incidents: Pick<Incidents, 'findByNumber'>,
    private readonly conference: InterpreterConference,
    private readonly languages: Readonly<Record<string, readonly string[]>>,
  ) {}

  /** The languages offered, for the console's picker. */
  offered(): string[] {
    return Object.keys(this.languages).sort();
  }

  async call(incident: string, language: string): Promise<{ language: string; lines: number }> {
    const lines = Object.hasOwn(this.languages, language) ? this.languages[language] : undefined;
    if (!lines || lines.length === 0) throw new LanguageNotOffered(language, this.offered());
    await this.incidents.findByNumber(incident); // an unknown incident: INCIDENT_NOT_FOUND
    await this.conference.start(incident, language, lines);
    return { language, lines: lines.length };
  }

  async dismiss(incident: string): Promise<void> {
    await this.incidents.findByNumber(incident);
    await this.conference.dismiss(incident);
  }
}
