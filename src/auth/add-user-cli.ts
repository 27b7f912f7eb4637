// `npm run add-user -- --name li.wei --role call-taker --seat 1001` (or `--role officer --officer
// 2001` for an officer's terminal): adds a user or replaces the role, seat, officer and password of an existing one (which ends their sessions); with --if-missing an
// existing user is left as they are. The password is read
// from CTI110_NEW_PASSWORD or the first line of stdin, never from the command line (it would be
// in the shell history and in `ps`).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import pino from 'pino';
import { loadConfig, ConfigError } from '../config/load';
import { openStore } from '../store/database';
import { UsersRepo } from '../store/users-repo';
import { AuthService, BadUser } from './auth-service';
import { appendNow, cliActor } from '../audit/append-now';

const USAGE = 'usage: npm run add-user -- --name <name> --role call-taker|supervisor|admin|officer [--seat <seat id>] [--officer <officer id>] [--if-missing]  (password: CTI110_NEW_PASSWORD or stdin)';

async function readPassword(): Promise<string> {
  if (process.env.CTI110_NEW_PASSWORD) return process.env.CTI110_NEW_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('password (input is shown; prefer piping it in): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string' }, seat: { type: 'string' }, officer: { type: 'string' }, 'if-missing': { type: 'boolean' } }, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (!args.name || !args.role) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const file = process.env.CTI110_CONFIG ?? (existsSync('config/cti110.json') ? 'config/cti110.json' : undefined);
  const config = loadConfig(process.env, file);
  const db = await openStore(config.store);
  try {
    // --if-missing (the demo users of `npm start`): a user who exists keeps their own password.
    if (args['if-missing'] && (await new UsersRepo(db).findByName(args.name))) {
      process.stdout.write(`user ${args.name} exists: left as it is\n`);
      return 0;
    }
    const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: config.auth.sessionTtlMs, maxFailures: config.auth.maxFailures, maxFailuresPerName: config.auth.maxFailuresPerName, windowMs: config.auth.failureWindowMs }, pino({ level: 'silent' }));
    const what = await auth.addUser({ name: args.name, role: args.role, seat: args.seat ?? null, officer: args.officer ?? null, password: await readPassword() });
    await appendNow(db, [{ actor: cliActor('add-user'), action: `user.${what}`, detail: { name: args.name, role: args.role, seat: args.seat ?? null, officer: args.officer ?? null } }]);
    process.stdout.write(`user ${args.name} ${what} (${args.role}${args.seat ? `, seat ${args.seat}` : ''}${args.officer ? `, officer ${args.officer}` : ''})\n`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    // One line for the operator: what is wrong with the input, no stack trace.
    process.stderr.write(`add-user: ${err instanceof BadUser || err instanceof ConfigError ? err.message : `failed: ${err.message}`}\n`);
    process.exit(err instanceof BadUser ? 65 : err instanceof ConfigError ? 78 : 1);
  },
);
