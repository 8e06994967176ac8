/** ROLE, REDIS_URL and ENGINE_LEASE_MS: the single process needs neither; the engine and gateway roles refuse to start without Redis. */
import { describe, expect, it } from 'vitest';
import { ConfigError, optionsFromEnv } from '../../server/src/config.ts';

const problem = (env: Record<string, string>): string => {
  try {
    optionsFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('roles from the environment', () => {
  it('runs engine and gateway in one process by default, without Redis', () => {
    expect(optionsFromEnv({})).toMatchObject({ role: 'all', redisUrl: null });
  });

  it('needs REDIS_URL for the engine and gateway roles, and names what is wrong', () => {
    expect(problem({ ROLE: 'engine' })).toMatch(/REDIS_URL: ROLE=engine needs REDIS_URL/);
    expect(problem({ ROLE: 'gateway' })).toMatch(/REDIS_URL: ROLE=gateway needs REDIS_URL/);
    expect(problem({ ROLE: 'gateway', REDIS_URL: 'http://localhost:6379' })).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(problem({ ROLE: 'worker' })).toMatch(/ROLE must be one of all, engine, gateway/);
    expect(optionsFromEnv({ ROLE: 'gateway', REDIS_URL: 'redis://10.0.0.2:6379' })).toMatchObject({ role: 'gateway', redisUrl: 'redis://10.0.0.2:6379' });
  });

  it("takes the engine's lease length from ENGINE_LEASE_MS, within bounds, and names it when it is wrong", () => {
    expect(optionsFromEnv({ ROLE: 'engine', REDIS_URL: 'redis://10.0.0.2:6379' }).engineLeaseMs).toBe(5000);
    expect(optionsFromEnv({ ROLE: 'engine', REDIS_URL: 'redis://10.0.0.2:6379', ENGINE_LEASE_MS: '1500' }).engineLeaseMs).toBe(1500);
    expect(problem({ ENGINE_LEASE_MS: '100' })).toMatch(/ENGINE_LEASE_MS: ENGINE_LEASE_MS must be at least 500 ms/);
    expect(problem({ ENGINE_LEASE_MS: 'soon' })).toMatch(/ENGINE_LEASE_MS: ENGINE_LEASE_MS must be a number of milliseconds/);
  });
});
