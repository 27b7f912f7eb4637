// The follow-up survey as a text: what is sent, and how a reply is read. Pure, tested alone.
import { QUESTIONS, type Answers } from './channel';

/** zh-CN, one SMS (under 70 characters would be one segment; two are fine for a survey). */
export function surveyText(incident: string): string {
  return `【110回访】您好，关于您的报警（编号${incident}），请为接警速度、服务态度、处警效率各打1-5分（5分最满意），回复三个数字，如：5 5 5。`;
}

/**
 * Three scores 1–5 in the order asked, however typed: "5 4 3", "543", "5,4,3", "５，４，３",
 * "5分4分3分". Anything else (a word, a fourth digit, a 0 or 6): undefined, not an answer.
 */
export function parseSmsScores(text: string): Answers | undefined {
  const ascii = text.normalize('NFKC').trim();
  if (!/^[\d\s,，、.;；分/]+$/.test(ascii)) return undefined;
  const digits = ascii.replace(/[^\d]/g, '');
  if (digits.length !== QUESTIONS.length || !/^[1-5]+$/.test(digits)) return undefined;
  return Object.fromEntries(QUESTIONS.map((q, i) => [q, Number(digits[i])])) as Answers;
}
