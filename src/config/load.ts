// The only place that reads configuration files and the environment.
import { readFileSync } from 'node:fs';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { ConfigSchema, DEFAULTS, ENV_OVERRIDES, type Config } from './schema';

/** A configuration mistake: its message is one line naming the key and what was expected. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  override readonly name = this.constructor.name;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(base[k]) ? merge(base[k] as Json, v) : v;
  return out;
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = value;
}

function readFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`config: ${path}: expected a JSON object at the top`);
  return parsed;
}

/** "A=http://h1:8088 B=http://h2:8088" (spaces or commas between): the nodes' names and ARI URLs. */
function parseNodes(value: string, path: string, name: string): { name: string; url: string }[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  return items.map((item) => {
    const m = /^([^=]+)=(.+)$/.exec(item);
    if (!m) throw new ConfigError(`config: ${path} (from ${name}): expected NAME=URL items, e.g. "A=http://127.0.0.1:8088 B=http://127.0.0.1:8188", got ${JSON.stringify(item)}`);
    return { name: m[1]!, url: m[2]! };
  });
}

/**
 * Defaults, then the file (if any), then environment overrides; the result is checked against
 * the schema and the first mistake is reported with the key it concerns and where it came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv, file?: string): Config {
  let raw: Json = structuredClone(DEFAULTS) as unknown as Json;
  const origin = new Map<string, string>();
  if (file) {
    const fromFile = readFile(file);
    raw = merge(raw, fromFile);
  }
  for (const [name, { path, kind }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined) continue;
    origin.set(path, name);
    if (kind === 'integer') {
      if (!/^-?\d+$/.test(value.trim())) {
        throw new ConfigError(`config: ${path} (from ${name}): expected an integer, got ${JSON.stringify(value)}`);
      }
      setPath(raw, path, Number(value));
    } else if (kind === 'nodes') {
      setPath(raw, path, parseNodes(value, path, name));
    } else if (kind === 'boolean') {
      if (!/^(true|false)$/.test(value.trim())) throw new ConfigError(`config: ${path} (from ${name}): expected true or false, got ${JSON.stringify(value)}`);
      setPath(raw, path, value.trim() === 'true');
    } else {
      setPath(raw, path, value);
    }
  }
  const first = Value.Errors(ConfigSchema, raw).First();
  if (first) {
    const key = first.path.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
    const from = origin.get(key) ? ` (from ${origin.get(key)})` : file ? ` (in ${file})` : '';
    const expected = (first.schema as { description?: string }).description ?? first.message;
    const detail =
      first.type === ValueErrorType.ObjectAdditionalProperties
        ? 'unknown key'
        : first.value === undefined
          ? `missing: expected ${expected}`
          : `expected ${expected}, got ${JSON.stringify(first.value)}`;
    throw new ConfigError(`config: ${key}${from}: ${detail}`);
  }
  const config = raw as unknown as Config;
  for (const key of ['id', 'endpoint'] as const) {
    const seen = new Set<string>();
    for (const [i, seat] of config.seats.entries()) {
      if (seen.has(seat[key])) throw new ConfigError(`config: seats.${i}.${key}${file ? ` (in ${file})` : ''}: ${JSON.stringify(seat[key])} is already used by another seat`);
      seen.add(seat[key]);
    }
  }
  if (config.store.url !== undefined && !URL.canParse(config.store.url)) {
    // The schema's pattern takes postgres://[x; only the URL parser knows it is not one.
    throw new ConfigError(`config: store.url${origin.get('store.url') ? ` (from ${origin.get('store.url')})` : file ? ` (in ${file})` : ''}: not a valid URL`);
  }
  // Two renewals at least within the ttl: one late or lost renewal must not hand the calls over.
  if (config.cluster.renewMs * 2 > config.cluster.leaseTtlMs) {
    throw new ConfigError(`config: cluster.renewMs${file ? ` (in ${file})` : ''}: expected at most half of cluster.leaseTtlMs (${config.cluster.leaseTtlMs}), got ${config.cluster.renewMs}`);
  }
  const nodeNames = new Set<string>();
  for (const [i, node] of (config.ari.nodes ?? []).entries()) {
    if (nodeNames.has(node.name)) throw new ConfigError(`config: ari.nodes.${i}.name${origin.get('ari.nodes') ? ` (from ${origin.get('ari.nodes')})` : file ? ` (in ${file})` : ''}: ${JSON.stringify(node.name)} is already used by another node`);
    nodeNames.add(node.name);
  }
  for (const section of ['ari', 'ami'] as const) {
    if (config[section].reconnectMaxMs < config[section].reconnectMinMs) {
      throw new ConfigError(`config: ${section}.reconnectMaxMs: expected at least ${section}.reconnectMinMs (${config[section].reconnectMinMs})`);
    }
  }
  return config;
}
