// Dialplan admin with a fake AMI: the file as Asterisk parsed it, the check, and a reload that
// happens only when the check passes.
import t from 'tap';
import pino from 'pino';
import { DialplanAdmin, type AmiPort } from '../../../src/admin/dialplan';

function fakeAmi(opts: { parses: boolean; loaded: string[] }) {
  const sent: string[] = [];
  const ami: AmiPort = {
    action: async (a) => {
      sent.push(a.module ? `${a.action} ${a.module}` : a.action!);
      if (a.action === 'Reload') return { response: 'Success', message: 'Module Reloaded' };
      if (!opts.parses) throw new Error(`AMI ${a.action}: Config file has invalid format`);
      return { response: 'Success', 'category-000000': 'from-trunk', 'line-000000-000001': 'same => n,Stasis(cti110)', 'line-000000-000000': 'exten => 110,1,Answer()', 'category-000001': 'seats', 'line-000001-000000': 'exten => *11,1,Stasis(cti110,login)' };
    },
    // As Asterisk 22 answers ShowDialPlan (checked against the sandbox): one ListDialplan per priority.
    list: async (a) => {
      sent.push(a.action!);
      return [
        ...opts.loaded.flatMap((context) => [1, 2].map((priority) => ({ event: 'ListDialplan', context, extension: 's', priority: String(priority), registrar: 'pbx_config' }))),
        { event: 'ListDialplan', context: '__func_periodic_hook_context__', extension: 'beep', priority: '1', registrar: 'func_periodic_hook' },
      ];
    },
  };
  return { ami, sent };
}

t.test('the file as deployed, in order', async (t) => {
  const { ami } = fakeAmi({ parses: true, loaded: [] });
  const f = await new DialplanAdmin(ami, ['extensions.conf'], pino({ level: 'silent' })).read('extensions.conf');
  t.same(f.contexts, ['from-trunk', 'seats']);
  t.equal(f.text, '[from-trunk]\nexten => 110,1,Answer()\nsame => n,Stasis(cti110)\n\n[seats]\nexten => *11,1,Stasis(cti110,login)');
});

t.test('reload only after a passing check', async (t) => {
  const good = fakeAmi({ parses: true, loaded: ['from-trunk', 'seats'] });
  const ok = await new DialplanAdmin(good.ami, ['extensions.conf'], pino({ level: 'silent' })).reload('root');
  t.match(ok, { ok: true, reloaded: true, output: 'Module Reloaded' });
  t.same(good.sent, ['GetConfig', 'ShowDialPlan', 'Reload pbx_config'], 'GetConfig, ShowDialPlan and Reload only: no CLI command (the AMI user may send none)');

  const broken = fakeAmi({ parses: false, loaded: ['from-trunk'] });
  const refused = await new DialplanAdmin(broken.ami, ['extensions.conf'], pino({ level: 'silent' })).reload('root');
  t.match(refused, { ok: false, reloaded: false });
  t.match(refused.problems[0], /extensions.conf: Asterisk cannot parse it/);
  t.same(broken.sent, ['GetConfig'], 'nothing reloaded');

  const losing = fakeAmi({ parses: true, loaded: ['from-trunk', 'seats', 'fallback'] });
  const lost = await new DialplanAdmin(losing.ami, ['extensions.conf'], pino({ level: 'silent' })).check();
  t.same(lost.problems, ['contexts loaded now but missing from the files: fallback'], 'a context that would vanish is a problem');
});
