// The demo's command line: where the sandbox's pieces listen (the defaults are what `npm start`
// runs) and how busy the simulated centre is. Checked whole before anything starts, so a typo
// is one clear line and exit 2, never a half-started demo.

export interface DemoOptions {
  /** New 110 calls a minute from simulated callers; 0: the phones only, no calls. */
  callsPerMinute: number;
  /** Scales every pause of the simulated people (0.3: three times faster, as the test runs it). */
  pace: number;
  serviceUrl: string;
  /** Asterisk's SIP address, where the phones register. */
  asterisk: string;
  /** The 110 trunk's entrance (the SIP edge), where callers send their INVITEs. */
  edge: string;
  /** Where Asterisk rings the 12345 hotline (pjsip.conf trunk12345): the simulated 12345 agent. */
  trunk12345: string;
  seats: string[];
  supervisors: string[];
  gridDir: string;
  workDir: string;
}

export const DEFAULTS: DemoOptions = {
  callsPerMinute: 4,
  pace: 1,
  serviceUrl: 'http://127.0.0.1:8110',
  asterisk: '127.0.0.1:5060',
  edge: '127.0.0.1:5062',
  trunk12345: '127.0.0.3:5070',
  seats: ['1001', '1002', '1003', '1004', '1005'],
  supervisors: ['3001'],
  gridDir: 'config/grid',
  workDir: 'var/demo',
};

export const USAGE = `usage: npm run demo -- [options]   (or: node dist/src/demo/main.js [options] beside a running npm start)
  --calls-per-minute N   simulated 110 calls a minute, 0-60 (default ${DEFAULTS.callsPerMinute}; 0: phones only)
  --pace X               scale the simulated people's pauses, 0.05-10 (default 1)
  --service URL          the cti110 service (default ${DEFAULTS.serviceUrl})
  --asterisk ADDR:PORT   where the phones register (default ${DEFAULTS.asterisk})
  --edge ADDR:PORT       the 110 trunk's entrance, the SIP edge (default ${DEFAULTS.edge})
  --trunk12345 ADDR:PORT where Asterisk rings 12345: the simulated 12345 agent listens there (default ${DEFAULTS.trunk12345})
  --seats LIST           call-taker seats with a simulated phone and call-taker (default ${DEFAULTS.seats.join(',')})
  --supervisors LIST     supervisors' phones (default ${DEFAULTS.supervisors.join(',')})
  --grid DIR             the grid (cells, units, officers) the service uses (default ${DEFAULTS.gridDir})
  --work-dir DIR         the phones' audio files and logs (default ${DEFAULTS.workDir})`;

export class OptionsError extends Error {}

const ADDRESS = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;
const ID_LIST = /^[0-9]{1,10}(,[0-9]{1,10})*$/;

function numberIn(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new OptionsError(`${name} must be a number from ${min} to ${max} (was ${JSON.stringify(text)})`);
  return n;
}

function matching(name: string, text: string, pattern: RegExp, what: string): string {
  if (!pattern.test(text)) throw new OptionsError(`${name} must be ${what} (was ${JSON.stringify(text)})`);
  return text;
}

/** Returns undefined for --help. --check-options (anywhere) is left to the caller: see main.ts. */
export function parseOptions(argv: readonly string[]): DemoOptions | undefined {
  const o: DemoOptions = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    if (name === '--help' || name === '-h') return undefined;
    if (name === '--check-options') continue;
    const value = argv[i + 1];
    if (value === undefined) throw new OptionsError(`${name}: a value is missing, or the option is unknown`);
    i++;
    switch (name) {
      case '--calls-per-minute': o.callsPerMinute = numberIn(name, value, 0, 60); break;
      case '--pace': o.pace = numberIn(name, value, 0.05, 10); break;
      case '--service': o.serviceUrl = matching(name, value, /^https?:\/\/[^\s/]+\/?$/, 'a base URL like http://127.0.0.1:8110').replace(/\/$/, ''); break;
      case '--asterisk': o.asterisk = matching(name, value, ADDRESS, 'ADDR:PORT'); break;
      case '--edge': o.edge = matching(name, value, ADDRESS, 'ADDR:PORT'); break;
      case '--trunk12345': o.trunk12345 = matching(name, value, ADDRESS, 'ADDR:PORT'); break;
      case '--seats': o.seats = matching(name, value, ID_LIST, 'a comma-separated list of seat numbers').split(','); break;
      case '--supervisors': o.supervisors = matching(name, value, ID_LIST, 'a comma-separated list of supervisor numbers').split(','); break;
      case '--grid': o.gridDir = value; break;
      case '--work-dir': o.workDir = value; break;
      default: throw new OptionsError(`unknown option ${name}`);
    }
  }
  return o;
}
