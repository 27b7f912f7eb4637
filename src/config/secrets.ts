// The ARI and AMI secrets in this repository (scripts/lib/sandbox-common.sh, config/asterisk/) and
// in Asterisk's sample files are known to anyone who has read them. They are fine for the local
// sandbox Asterisk, which listens on loopback only and lives as long as a test; anywhere else a
// service started with one would talk to an Asterisk that anyone can drive. So the service refuses
// to start with one, unless CTI110_SANDBOX=1 says this is the sandbox (scripts/run.sh and the
// test harness set it).
import type { Config } from './schema';
import { ConfigError } from './load';

/** Secrets that are public: our sandbox's, and those of Asterisk's own sample configs. */
export const KNOWN_DEFAULT_SECRETS: readonly string[] = ['cti110-dev-secret', 'mysecret', 'asterisk'];

export function refuseKnownSecrets(config: Config, env: NodeJS.ProcessEnv): void {
  if (env.CTI110_SANDBOX === '1') return;
  const known = [
    { key: 'ari.password', variable: 'CTI110_ARI_PASSWORD', value: config.ari.password },
    { key: 'ami.secret', variable: 'CTI110_AMI_SECRET', value: config.ami.secret },
  ].filter((s) => KNOWN_DEFAULT_SECRETS.includes(s.value));
  if (!known.length) return;
  throw new ConfigError(
    `config: ${known.map((s) => s.key).join(' and ')}: a known default secret; set ${known.map((s) => s.variable).join(' and ')} to your Asterisk's (or CTI110_SANDBOX=1 for the local sandbox Asterisk only)`,
  );
}
