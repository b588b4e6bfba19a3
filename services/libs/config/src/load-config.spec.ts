import { IsBoolean, IsInt, Min } from 'class-validator';
import { InfraConfig } from './common';
import { ConfigError, loadConfig } from './load-config';

class Sample extends InfraConfig {
  @IsInt()
  @Min(1)
  WORKERS = 4;

  @IsBoolean()
  VERBOSE = false;
}

describe('loadConfig', () => {
  it('uses documented defaults when variables are absent', () => {
    const c = loadConfig(Sample, {});
    expect(c.WORKERS).toBe(4);
    expect(c.MONGO_URL).toBe('mongodb://127.0.0.1:27117/dawuguan');
  });

  it('reads numbers and booleans from strings', () => {
    const c = loadConfig(Sample, { WORKERS: '12', VERBOSE: 'true' });
    expect(c.WORKERS).toBe(12);
    expect(c.VERBOSE).toBe(true);
  });

  it('names every bad variable with its value and what is wrong', () => {
    let err: Error | undefined;
    try {
      loadConfig(Sample, { WORKERS: 'many', MONGO_URL: 'postgres://x/y', VERBOSE: 'yes' });
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toMatch(/WORKERS="many": .*WORKERS must be an integer number/);
    expect(err?.message).toContain(
      'MONGO_URL="postgres://x/y": must be a mongodb:// URL that names a database',
    );
    expect(err?.message).toContain('VERBOSE="yes"');
  });
});
