import type { KnexInstrumentationConfig } from './types.js';

const FUNCTION_OPTIONS = ['sanitizer', 'requestHook', 'responseHook'] as const;
const BOOLEAN_OPTIONS = ['requireParentSpan', 'poolMetrics', 'sqlCommenter', 'enabled'] as const;

/** Throws at construction, naming the option to change, instead of misbehaving at query time. */
export function validateConfig(config: KnexInstrumentationConfig | undefined): KnexInstrumentationConfig {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object') throw new TypeError(`@threadline/knex: options must be an object, got ${typeof config}`);
  const { maxQueryLength, dbSystemName } = config;
  if (maxQueryLength !== undefined && (!Number.isInteger(maxQueryLength) || maxQueryLength < 0)) {
    throw new TypeError(`@threadline/knex: maxQueryLength must be a non-negative integer (0 leaves db.query.text out), got ${String(maxQueryLength)}`);
  }
  for (const name of FUNCTION_OPTIONS) {
    if (config[name] !== undefined && typeof config[name] !== 'function') {
      throw new TypeError(`@threadline/knex: ${name} must be a function, got ${typeof config[name]}`);
    }
  }
  for (const name of BOOLEAN_OPTIONS) {
    if (config[name] !== undefined && typeof config[name] !== 'boolean') {
      throw new TypeError(`@threadline/knex: ${name} must be true or false, got ${typeof config[name]}`);
    }
  }
  if (dbSystemName !== undefined && (typeof dbSystemName !== 'string' || dbSystemName.length === 0)) {
    throw new TypeError(`@threadline/knex: dbSystemName must be a non-empty string such as "mariadb", got ${String(dbSystemName)}`);
  }
  return config;
}
