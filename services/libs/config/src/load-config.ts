import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {}

/**
 * Builds a typed config object from environment variables and validates it, so a bad value stops the
 * process at start-up with a message that names the variable rather than failing later in some handler.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls();
  const raw: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const key of Object.keys(defaults)) {
    const v = env[key];
    if (v === undefined || v === '') continue;
    // The default's type says how to read the variable; a value that does not convert fails validation below.
    const d = raw[key];
    raw[key] =
      typeof d === 'number'
        ? /^-?\d+(\.\d+)?$/.test(v.trim())
          ? Number(v)
          : v
        : typeof d === 'boolean'
          ? v === 'true'
            ? true
            : v === 'false'
              ? false
              : v
          : v;
  }
  const instance = plainToInstance(cls, raw);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e: ValidationError) => {
      const given = env[e.property];
      const why = Object.values(e.constraints ?? {}).join('; ');
      return `  ${e.property}=${given === undefined ? '(default)' : JSON.stringify(given)}: ${why}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return instance;
}

/** Loads config or exits with the validation message; used by every service's main(). */
export function loadConfigOrExit<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  try {
    return loadConfig(cls, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
