// The follow-up area as main.ts builds it: the voice channel over the Telephony port, the service,
// and what its routes need. The channel is chosen here: an SMS channel (src/texts/, issue #17.1)
// plugs in beside VoiceFollowUp as another FollowUpChannel (channel.ts).
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Config } from '../config/schema';
import type { Officers } from '../dispatch/officers';
import type { Incidents } from '../incidents/incidents';
import type { Outbox } from '../outbox/outbox';
import type { Recorder } from '../recording/recorder';
import type { DispatchRepo } from '../store/dispatch-repo';
import type { FollowUpsRepo } from '../store/followups-repo';
import type { FollowUpChannel } from './channel';
import type { FollowUpRouteDeps } from './routes';
import { FollowUpService } from './service';
import { VoiceFollowUp } from './voice-channel';
import { SmsFollowUp } from './sms-channel';
import type { SmsGateway } from '../texts/sms-gateway';
import type { TextInbox } from '../texts/text-inbox';

export interface FollowUpWiring {
  telephony: Telephony;
  recorder: Recorder;
  repo: FollowUpsRepo;
  incidents: Incidents;
  dispatchRepo: Pick<DispatchRepo, 'get'>;
  officers: Pick<Officers, 'get'>;
  outbox: Outbox;
  unitWebhooks: Record<string, string>;
  /** The SMS gateway and the texts' inbox (src/texts/): the 'sms' channel, when texts are on. */
  sms: { gateway: Pick<SmsGateway, 'enabled' | 'sendSms'>; inbox: Pick<TextInbox, 'addReplyHandler'> };
  log: Logger;
}

/** undefined when followUp.enabled is false: nothing is scheduled, no routes. */
export function buildFollowUps(config: Config, w: FollowUpWiring): { voice: VoiceFollowUp; sms: SmsFollowUp | undefined; service: FollowUpService; routes: FollowUpRouteDeps } | undefined {
  const c = config.followUp;
  if (!c.enabled) return undefined;
  const voice = new VoiceFollowUp(w.telephony, w.recorder, { trunk: c.trunk, ringMs: c.ringMs, keyTimeoutMs: c.keyTimeoutMs, maxReplays: c.maxReplays, prompts: c.prompts }, w.log);
  // By name: followUp.channel picks a call's; a text report's (trunk 'sms') is 'sms'. Without the
  // gateway there is no 'sms' channel: text reports get no follow-up (never a voice call).
  const channels: Record<string, FollowUpChannel> = { voice };
  let sms: SmsFollowUp | undefined;
  if (w.sms.gateway.enabled) {
    const channel = new SmsFollowUp(w.sms.gateway, { replyWaitMs: c.smsReplyWaitMs }, w.log);
    // Asked before a text opens a report: three scores from a number with a survey out are its answer.
    w.sms.inbox.addReplyHandler((from, text) => channel.reply(from, text));
    channels.sms = sms = channel;
  }
  const service = new FollowUpService(
    { repo: w.repo, incidents: w.incidents, unitOf: async (id) => (await w.dispatchRepo.get(id))?.unitId ?? null, channels, defaultChannel: c.channel, outbox: w.outbox, unitWebhooks: w.unitWebhooks, log: w.log },
    { delayMs: c.delayMs, quietHours: c.quietHours, sharePct: c.sharePct, majorCategories: config.dispatch.majorCategories, retries: c.retries, retryGapMs: c.retryGapMs, maxConcurrent: c.maxConcurrent, pollMs: c.pollMs },
  );
  return { voice, sms, service, routes: { followUps: service, repo: w.repo, officerUnit: async (id) => (await w.officers.get(id)).unit } };
}
