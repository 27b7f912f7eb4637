// The survey's rules over a scripted caller: keys 1-5 are scores, a wrong key replays the question
// (at most twice), no key is no answer, keys pressed ahead are taken without replaying prompts.
import t from 'tap';
import { runSurvey, type Prompt, type SurveyIo } from '../../../src/followup/survey';

/** A caller who presses `keys` in turn: a key per wait, null = lets the wait run out. */
function caller(keys: (string | null)[], ahead: string[] = []) {
  const said: Prompt[][] = [];
  const queue = [...ahead];
  const io: SurveyIo = {
    say: async (p) => void said.push(p),
    hasKey: () => queue.length > 0,
    key: async () => (queue.length ? queue.shift()! : (keys.shift() ?? null)),
  };
  return { io, said };
}

const settings = { keyTimeoutMs: 1000, maxReplays: 2 };

t.test('three scores, then thanks', async (t) => {
  const { io, said } = caller(['5', '4', '2']);
  t.same(await runSurvey(io, settings), { speed: 5, attitude: 4, efficiency: 2 });
  t.same(said, [['intro', 'speed'], ['attitude'], ['efficiency'], ['thanks']]);
});

t.test('a wrong key replays the question, at most twice; then no answer for it', async (t) => {
  const { io, said } = caller(['9', '3', '#', '*', '0', '4']);
  t.same(await runSurvey(io, settings), { speed: 3, attitude: null, efficiency: 4 });
  t.same(said, [['intro', 'speed'], ['invalid', 'speed'], ['attitude'], ['invalid', 'attitude'], ['invalid', 'attitude'], ['efficiency'], ['thanks']]);
});

t.test('no key: no answer for that question, the survey goes on', async (t) => {
  const { io } = caller([null, '5', null]);
  t.same(await runSurvey(io, settings), { speed: null, attitude: 5, efficiency: null });
});

t.test('keys pressed ahead are taken without playing the questions', async (t) => {
  const { io, said } = caller([], ['1', '2', '3']);
  t.same(await runSurvey(io, settings), { speed: 1, attitude: 2, efficiency: 3 });
  t.same(said, [['thanks']]);
});
