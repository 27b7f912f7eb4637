// Which closed incidents get a follow-up (回访), and when it may ring. Pure: the clock and the
// settings are arguments, so that quiet hours and the share are tested without waiting.
import { createHash } from 'node:crypto';

/** "HH:MM" local time of the centre; from === to means no quiet hours. */
export interface QuietHours {
  from: string;
  to: string;
}

export type FollowUpReason = 'major' | 'share';

/** Minutes after local midnight of an "HH:MM" (checked by the config schema's pattern). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The incident's bucket 0-99, from its number: the same incident always falls in the same bucket
 * (a restart or a test decides as before), and consecutive numbers spread evenly.
 */
export function bucketOf(incident: string): number {
  return createHash('sha256').update(incident).digest().readUInt32BE(0) % 100;
}

/**
 * Every major-category incident is followed up (the documents ask 100 %); any other by share
 * percent of incidents, picked by bucket. null: no follow-up.
 */
export function followUpReason(incident: { number: string; category: string | null }, majorCategories: readonly string[], sharePct: number): FollowUpReason | null {
  if (incident.category !== null && majorCategories.includes(incident.category)) return 'major';
  return bucketOf(incident.number) < sharePct ? 'share' : null;
}

/** Whether local time `ms` falls in the quiet hours (which may span midnight, e.g. 22:00-08:00). */
export function inQuietHours(ms: number, quiet: QuietHours): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return false;
  const d = new Date(ms);
  const now = d.getHours() * 60 + d.getMinutes();
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** `ms`, or the end of the quiet hours it falls in (local time): nobody is rung at night. */
export function notDuringQuietHours(ms: number, quiet: QuietHours): number {
  if (!inQuietHours(ms, quiet)) return ms;
  const end = new Date(ms);
  const to = minutesOf(quiet.to);
  end.setHours(Math.floor(to / 60), to % 60, 0, 0);
  // The end is later today, or (quiet hours that began before midnight) tomorrow.
  if (end.getTime() <= ms) end.setDate(end.getDate() + 1);
  return end.getTime();
}

/** A number the trunk can dial (digits, +, * or #); anything else cannot be called back. */
export const DIALLABLE = /^[0-9+*#]{1,32}$/;
