// The last-resort guard (issue 14, H1): what a reaction throws is logged, alerted once a minute
// and goes no further; other listeners of the same event still run.
import t from 'tap';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { Faults, type Fault } from '../../../src/events/faults';

function collect() {
  const lines: { level: number; msg: string; where?: string }[] = [];
  const log = pino({ level: 'error' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const faults = new Faults(log);
  const raised: Fault[] = [];
  faults.on('fault', (f) => raised.push(f));
  return { faults, lines, raised };
}

t.test('a throw is reported and contained; the same fault is alerted once a minute, logged every time', async (t) => {
  const { faults, lines, raised } = collect();
  for (let i = 0; i < 3; i++) {
    t.doesNotThrow(() =>
      faults.run('ARI ChannelStateChange', () => {
        throw new Error('a seat that is not ready cannot answered');
      }),
    );
  }
  t.equal(lines.length, 3, 'logged each time');
  t.match(lines[0], { level: 50, where: 'ARI ChannelStateChange', msg: /SERVICE ERROR in ARI ChannelStateChange: a seat that is not ready cannot answered/ });
  t.equal(raised.length, 1, 'alerted once');
  t.match(raised[0], { where: 'ARI ChannelStateChange', message: 'a seat that is not ready cannot answered' });
  faults.run('ARI StasisEnd', () => {
    throw new Error('another');
  });
  t.equal(raised.length, 2, 'another fault is alerted');
});

t.test('a rejected promise is reported too', async (t) => {
  const { faults, raised } = collect();
  faults.run('ARI RecordingFinished', () => Promise.reject(new Error('disk gone')));
  await new Promise((r) => setImmediate(r));
  t.match(raised, [{ where: 'ARI RecordingFinished', message: 'disk gone' }]);
});

t.test('tell: every listener runs, a throwing one is reported, the emitter goes on', async (t) => {
  const { faults, raised } = collect();
  class Source extends EventEmitter<{ changed: [number] }> {}
  const source = new Source();
  const seen: string[] = [];
  source.on('changed', (n) => seen.push(`a${n}`));
  source.on('changed', () => {
    throw new Error('bug');
  });
  source.once('changed', (n) => seen.push(`c${n}`));
  t.doesNotThrow(() => faults.tell(source, 'changed', 1));
  faults.tell(source, 'changed', 2);
  t.same(seen, ['a1', 'c1', 'a2'], 'listeners after the failing one still run; once() listeners once');
  t.match(raised, [{ where: "Source 'changed' listener", message: 'bug' }]);
});

t.test('an alert listener that throws does not undo the containment', async (t) => {
  const { faults, lines } = collect();
  faults.on('fault', () => {
    throw new Error('hub down');
  });
  t.doesNotThrow(() => faults.report('somewhere', new Error('x')));
  t.ok(lines.some((l) => l.msg === 'service error alert not raised'));
});
