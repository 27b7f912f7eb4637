import t from 'tap';
import { growingFilePlan, planFor, recallPlan, MONITOR_MODES } from '../../../src/monitoring/modes';

t.test('each mode connects the supervisor its own way', async (t) => {
  t.same(planFor('listen'), { kind: 'snoop', on: 'caller', spy: 'both', whisper: 'none' }, 'listen: hears both ways on the caller, says nothing to anyone');
  t.same(planFor('whisper'), { kind: 'snoop', on: 'taker', spy: 'both', whisper: 'out' }, "whisper: into what the call-taker hears, never into the bridge");
  t.same(planFor('barge'), { kind: 'bridge' }, 'barge: joins the call');
  t.same(MONITOR_MODES, ['listen', 'whisper', 'barge']);
});

t.test('recall plays the last N seconds of the closed segments', async (t) => {
  t.same(recallPlan([{ name: 'a', durationMs: 25000 }], 10000), { names: ['a'], offsetMs: 15000, coveredMs: 10000 }, 'the tail of one long segment');
  t.same(recallPlan([{ name: 'a', durationMs: 7000 }], 10000), { names: ['a'], offsetMs: 0, coveredMs: 7000 }, 'a call younger than N: all of it');
  t.same(
    recallPlan([{ name: 'a', durationMs: 30000 }, { name: 'b', durationMs: 4000 }], 10000),
    { names: ['a', 'b'], offsetMs: 24000, coveredMs: 10000 },
    'a recall just after a rotation reaches back into the previous segment',
  );
  t.same(
    recallPlan([{ name: 'old', durationMs: 60000 }, { name: 'a', durationMs: 30000 }, { name: 'b', durationMs: 40000 }], 10000),
    { names: ['b'], offsetMs: 30000, coveredMs: 10000 },
    'older segments are not played',
  );
  t.same(recallPlan([{ name: 'a', durationMs: 5000 }, { name: 'empty', durationMs: 0 }], 10000), { names: ['a'], offsetMs: 0, coveredMs: 5000 }, 'an empty segment is skipped');
  t.same(recallPlan([], 10000), { names: [], offsetMs: 0, coveredMs: 0 }, 'nothing recorded: nothing to play');
});

t.test('recall from a file still being written: its last N seconds, from that far before its end', async (t) => {
  t.same(growingFilePlan('f', 40000, 15000), { names: ['f'], offsetMs: 25000, coveredMs: 15000 }, 'a long call: the last 15 s');
  t.same(growingFilePlan('f', 8000, 15000), { names: ['f'], offsetMs: 0, coveredMs: 8000 }, 'a call younger than N: all of it');
  t.same(growingFilePlan('f', 300, 15000), { names: ['f'], offsetMs: 0, coveredMs: 300 }, 'a recall right after the answer plays what there is');
  t.same(growingFilePlan('f', 0, 15000).names, [], 'not answered yet: nothing');
});
