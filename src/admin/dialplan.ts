// The dialplan as Asterisk has it deployed, checked by Asterisk's own parser before a reload, and
// reloaded through AMI. Files are read through AMI GetConfig (what Asterisk reads from its own
// config folder), so the service needs no path into Asterisk's file system and writes nothing:
// the browser can look and reload, never edit.
import type { Logger } from 'pino';

// No CLI command: the AMI user may not send any (config/asterisk/manager.conf), only GetConfig,
// ShowDialPlan and Reload.
export interface AmiPort {
  action(action: Record<string, string>): Promise<Record<string, string | undefined>>;
  list(action: Record<string, string>): Promise<Record<string, string | undefined>[]>;
}

export interface DialplanFile {
  name: string;
  /** The file as Asterisk parsed it: one section per context, its lines as written. */
  text: string;
  contexts: string[];
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
  files: { name: string; contexts: number }[];
}

export class DialplanAdmin {
  constructor(
    private readonly ami: AmiPort,
    private readonly files: readonly string[],
    private readonly log: Logger,
  ) {}

  /** One file through GetConfig; a parse error is Asterisk's answer "Config file has invalid format". */
  async read(name: string): Promise<DialplanFile> {
    const res = await this.ami.action({ action: 'GetConfig', filename: name });
    const contexts = new Map<number, { name: string; lines: [number, string][] }>();
    for (const [key, value] of Object.entries(res)) {
      const cat = /^category-(\d+)$/i.exec(key);
      if (cat) contexts.set(Number(cat[1]), { name: value ?? '', lines: contexts.get(Number(cat[1]))?.lines ?? [] });
      const line = /^line-(\d+)-(\d+)$/i.exec(key);
      if (line) {
        const c = contexts.get(Number(line[1])) ?? { name: '', lines: [] };
        c.lines.push([Number(line[2]), value ?? '']);
        contexts.set(Number(line[1]), c);
      }
    }
    const ordered = [...contexts.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const text = ordered.map((c) => `[${c.name}]\n${c.lines.sort((a, b) => a[0] - b[0]).map(([, l]) => l).join('\n')}`).join('\n\n');
    return { name, text, contexts: ordered.map((c) => c.name) };
  }

  list(): Promise<DialplanFile[]> {
    return Promise.all(this.files.map((f) => this.read(f)));
  }

  /**
   * Asterisk parses every file as deployed; then no context that is loaded now may vanish with
   * the reload (the service's Stasis entry and the fallback queue live in named contexts).
   */
  async check(): Promise<CheckResult> {
    const problems: string[] = [];
    const files: CheckResult['files'] = [];
    const defined = new Set<string>();
    for (const name of this.files) {
      try {
        const f = await this.read(name);
        f.contexts.forEach((c) => defined.add(c));
        files.push({ name, contexts: f.contexts.length });
      } catch (err) {
        problems.push(`${name}: Asterisk cannot parse it: ${(err as Error).message}`);
      }
    }
    if (!problems.length) {
      const loaded = await this.loadedContexts();
      const lost = loaded.filter((c) => !defined.has(c));
      if (lost.length) problems.push(`contexts loaded now but missing from the files: ${lost.join(', ')}`);
    }
    return { ok: problems.length === 0, problems, files };
  }

  /** Checks, and reloads only if the check passed; the outcome is logged with who asked. */
  async reload(who: string): Promise<CheckResult & { reloaded: boolean; output: string }> {
    const check = await this.check();
    if (!check.ok) {
      this.log.warn({ who, problems: check.problems }, 'dialplan reload refused: check failed');
      return { ...check, reloaded: false, output: '' };
    }
    // Reload of pbx_config is "dialplan reload"; Asterisk answers "Module Reloaded".
    const output = (await this.ami.action({ action: 'Reload', module: 'pbx_config' })).message ?? '';
    this.log.info({ who, output }, 'dialplan reloaded');
    return { ...check, reloaded: true, output };
  }

  /**
   * Contexts loaded now that come from a configuration file (not ones modules register): those
   * with an extension or include from pbx_config in ShowDialPlan (a context with neither does
   * nothing, so it cannot be lost).
   */
  private async loadedContexts(): Promise<string[]> {
    const items = await this.ami.list({ action: 'ShowDialPlan' });
    return [...new Set(items.filter((e) => e.registrar === 'pbx_config' && e.context).map((e) => e.context!))];
  }
}
