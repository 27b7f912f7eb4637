// `npm run demo`: scripts/run.sh starts the sandbox as `npm start` does, then this beside the
// service. It can also run on its own beside a running `npm start`. Ctrl-C (or TERM) stops
// everything it started; exit 2 for a bad option, 1 when it could not start.
import { resolve } from 'node:path';
import { startDemo } from './demo';
import { OptionsError, USAGE, parseOptions } from './options';

const log = (msg: string) => console.log(`demo: ${msg}`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    console.error(`demo: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  // scripts/run.sh checks the options before it starts Asterisk and the service.
  if (process.argv.includes('--check-options')) return 0;
  const stopping = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stopping.abort());
  // A bug in the demo must not leave its SIPp running: stop as for Ctrl-C, then exit 1.
  let failed = false;
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err: unknown) => {
      console.error(`demo: ${event}: ${(err as Error)?.stack ?? String(err)}`);
      failed = true;
      stopping.abort();
    });
  }
  let demo;
  try {
    demo = await startDemo(options, resolve(__dirname, '../../..'), log, stopping.signal);
  } catch (err) {
    // Stopped while starting: what had started is stopped already; that is no failure.
    if (stopping.signal.aborted) return failed ? 1 : 0;
    console.error(`demo: could not start: ${(err as Error).message}`);
    return 1;
  }
  if (!stopping.signal.aborted) await new Promise((r) => stopping.signal.addEventListener('abort', r, { once: true }));
  log('stopping');
  await demo.stop();
  log('stopped: no phone or caller left running');
  return failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
