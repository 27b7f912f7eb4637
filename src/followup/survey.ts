// The voice survey, as said to the caller: greeting and the speed question, a key 1-5 per
// question, then thanks. A wrong key replays the question (at most maxReplays times); no key
// within the time is "no answer" for that question. Pure over a small port (SurveyIo), so the
// rules are tested without a call; voice-channel.ts gives it the call.
import { QUESTIONS, type Answers, type Question } from './channel';

/** The prompts (files in Asterisk's sounds, see scripts/make-prompts.sh), by role. */
export type Prompt = 'intro' | Question | 'invalid' | 'thanks';
export const PROMPTS: readonly Prompt[] = ['intro', ...QUESTIONS, 'invalid', 'thanks'];

export interface SurveyIo {
  /** Plays the prompts in order; resolves when they end, or at once on a key (the caller knows the answer). */
  say(prompts: Prompt[]): Promise<void>;
  /** A key pressed since the last one taken (kept while prompts play), or null after timeoutMs. */
  key(timeoutMs: number): Promise<string | null>;
  /** A key is already waiting (pressed during a prompt, or several at once). */
  hasKey(): boolean;
}

export interface SurveySettings {
  keyTimeoutMs: number;
  maxReplays: number;
}

export const SCORE_KEY = /^[1-5]$/;

export async function runSurvey(io: SurveyIo, settings: SurveySettings): Promise<Answers> {
  const answers: Answers = { speed: null, attitude: null, efficiency: null };
  for (const [i, question] of QUESTIONS.entries()) {
    for (let round = 0; round <= settings.maxReplays; round++) {
      // A caller who keyed ahead is not made to hear the question first.
      if (!io.hasKey()) await io.say(round > 0 ? ['invalid', question] : i === 0 ? ['intro', question] : [question]);
      const key = await io.key(settings.keyTimeoutMs);
      if (key === null) break;
      if (SCORE_KEY.test(key)) {
        answers[question] = Number(key);
        break;
      }
    }
  }
  await io.say(['thanks']);
  return answers;
}
