// The texts part of the configuration, checked beyond what the schema can say on its own.
import { ConfigError } from '../config/load';
import type { Config } from '../config/schema';

export interface TextsSettings {
  secret: string;
  sendUrl: string;
  serviceNumber: string;
  withVoiceCall: boolean;
  quickReplies: string[];
  locationRequest: string;
  /** The texts' priority class in the queue: queue.priorities.sms (unlisted: 100, as for calls). */
  priority: number;
}

/** Secret and send URL go together: texts accepted but no way to answer them (or the reverse) is a mistake. */
export function checkTextsConfig(config: Pick<Config, 'texts' | 'queue'>): TextsSettings {
  const t = config.texts;
  if (t.secret && !t.sendUrl) throw new ConfigError("config: texts.sendUrl: missing: expected the gateway's send URL when texts.secret is set (replies would have nowhere to go)");
  if (t.sendUrl && !t.secret) throw new ConfigError('config: texts.secret: missing: expected the shared secret (16-256 characters) when texts.sendUrl is set (inbound texts could not be checked)');
  if (t.sendUrl && !URL.canParse(t.sendUrl)) throw new ConfigError(`config: texts.sendUrl: not a valid URL: ${JSON.stringify(t.sendUrl)}`);
  return { ...t, priority: config.queue.priorities.sms ?? 100 };
}
