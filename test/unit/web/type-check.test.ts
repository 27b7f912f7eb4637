// The pages (web/*.js) are type-checked against the server's declarations (tsconfig.web.json, run
// by `npm run build`). Shown here on a copy: the check passes as the tree is, and fails when a page
// misspells a field, when the server renames a field a page reads, and when the server adds a
// timeline kind the timeline's sentences do not word.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** A copy of what the check reads (pages, server sources, the sip.js shim, the config); node_modules linked. */
function copyTree(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'cti110-web-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const part of ['web', 'src', 'types', 'tsconfig.web.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer holds ${JSON.stringify(from)}: update this test`);
  writeFileSync(path, text.replace(from, to));
}

function check(dir: string): { status: number | null; out: string } {
  // Through `env -i`: the test runner adds its loader hooks (NODE_OPTIONS) to every child's
  // environment, and in tsc they break its start (an ES module required in a cycle).
  const r = spawnSync('/usr/bin/env', ['-i', `HOME=${process.env.HOME ?? '/tmp'}`, process.execPath, TSC, '-p', 'tsconfig.web.json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('the pages as they are pass the check', async (t) => {
  const r = check(copyTree(t));
  t.equal(r.status, 0, r.out || 'no errors');
});

t.test('a page that misspells a field of a live message fails it', async (t) => {
  const dir = copyTree(t);
  edit(dir, 'web/wallboard.js', '${m.alert.message}', '${m.alert.mesage}');
  const r = check(dir);
  t.not(r.status, 0);
  t.match(r.out, /web\/wallboard\.js\(\d+,\d+\): error TS\d+: Property 'mesage' does not exist on type 'Alert'/);
});

t.test('a field the server renames fails the pages that read it', async (t) => {
  const dir = copyTree(t);
  edit(dir, 'src/events/messages.ts', '  seatId: string | null;\n  state: string;\n}', '  seat: string | null;\n  state: string;\n}');
  const r = check(dir);
  t.not(r.status, 0);
  t.match(r.out, /web\/console\.js\(\d+,\d+\): error TS\d+: Property 'seatId' does not exist on type 'CallView'/, 'CallView.seatId → seat: the console reads m.incident.seatId');
});

t.test('a timeline kind the server adds must be worded in both languages', async (t) => {
  const dir = copyTree(t);
  edit(dir, 'src/incidents/timeline-kinds.ts', "  | 'ended';", "  | 'ended'\n  | 'teleported';");
  const r = check(dir);
  t.not(r.status, 0);
  t.match(r.out, /web\/timeline\.js\(\d+,\d+\): error TS2741: Property 'teleported' is missing/);
});
