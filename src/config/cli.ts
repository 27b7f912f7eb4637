// What every operator's tool (npm run ...) does the same way: its config as the service finds
// it, and its end: the exit code, or one line for an error (no stack trace), exit 2.
import { existsSync } from 'node:fs';
import { loadConfig, ConfigError } from './load';
import type { Config } from './schema';

export function cliConfig(): Config {
  const file = process.env.CTI110_CONFIG ?? (existsSync('config/cti110.json') ? 'config/cti110.json' : undefined);
  return loadConfig(process.env, file);
}

export function runCli(tool: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : `${tool}: ${err.message}`}\n`);
      process.exit(2);
    },
  );
}
