import t from 'tap';
import { DEFAULTS, OptionsError, parseOptions } from '../../../src/demo/options';

t.test('no options: what npm start runs', async (t) => {
  t.same(parseOptions([]), DEFAULTS);
});

t.test('options given', async (t) => {
  const o = parseOptions(['--calls-per-minute', '12', '--pace', '0.3', '--service', 'http://127.0.0.1:9000/', '--edge', '127.0.0.1:6062', '--trunk12345', '127.0.0.3:7070', '--seats', '1001,1002', '--supervisors', '3002', '--work-dir', '/tmp/d', '--check-options']);
  t.match(o, { callsPerMinute: 12, pace: 0.3, serviceUrl: 'http://127.0.0.1:9000', edge: '127.0.0.1:6062', trunk12345: '127.0.0.3:7070', seats: ['1001', '1002'], supervisors: ['3002'], workDir: '/tmp/d' });
  t.equal(parseOptions(['--calls-per-minute', '0'])?.callsPerMinute, 0, 'phones only');
  t.equal(parseOptions(['--help']), undefined);
});

t.test('a bad option is one clear error', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--calls-per-minute', '100'], /--calls-per-minute must be a number from 0 to 60/],
    [['--calls-per-minute', 'many'], /must be a number/],
    [['--calls-per-minute', ''], /must be a number/],
    [['--pace', '0'], /--pace must be a number from 0.05 to 10/],
    [['--edge', 'localhost'], /--edge must be ADDR:PORT/],
    [['--seats', '1001;rm'], /--seats must be a comma-separated list/],
    [['--service', 'ftp://x'], /--service must be a base URL/],
    [['--colour', 'red'], /unknown option --colour/],
    [['--pace'], /--pace: a value is missing/],
  ];
  for (const [argv, message] of bad) t.throws(() => parseOptions(argv), { constructor: OptionsError, message }, argv.join(' '));
});
