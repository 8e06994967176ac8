/** The new limits are read from the environment and a bad value stops the server with a message naming the variable. */
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

describe('limits from the environment', () => {
  it('reads every limit, with defaults', () => {
    expect(optionsFromEnv({}).limits).toEqual({
      maxSessionsPerAddress: 50,
      maxSessions: 2000,
      allowedOrigins: [],
      frameAncestors: ["'self'"],
      authFailuresPerMinute: 10,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      shutdownTimeoutMs: 10_000,
    });
    const l = optionsFromEnv({ ALLOWED_ORIGINS: 'https://wall.example.com, http://10.0.0.5:8080', FRAME_ANCESTORS: "'self' https://kiosk.example.com", SHUTDOWN_TIMEOUT_S: '2.5' }).limits;
    expect(l.allowedOrigins).toEqual(['https://wall.example.com', 'http://10.0.0.5:8080']);
    expect(l.frameAncestors).toEqual(["'self'", 'https://kiosk.example.com']);
    expect(l.shutdownTimeoutMs).toBe(2500);
  });

  it('names the variable and says what is wrong', () => {
    expect(problem({ ALLOWED_ORIGINS: 'wall.example.com' })).toMatch(/^ALLOWED_ORIGINS\.0: "wall\.example\.com" is not an origin: write scheme:\/\/host\[:port\]/);
    expect(problem({ ALLOWED_ORIGINS: 'https://wall.example.com/path' })).toMatch(/^ALLOWED_ORIGINS\.0: .* is not an origin/);
    expect(problem({ FRAME_ANCESTORS: 'anyone' })).toMatch(/^FRAME_ANCESTORS\.0: each FRAME_ANCESTORS entry must be 'self', 'none' or a source/);
    expect(problem({ SHUTDOWN_TIMEOUT_S: '0' })).toMatch(/^SHUTDOWN_TIMEOUT_S: SHUTDOWN_TIMEOUT_S must be more than 0 seconds/);
    expect(problem({ HEADERS_TIMEOUT_S: 'soon' })).toMatch(/^HEADERS_TIMEOUT_S: /);
    expect(problem({ MAX_SESSIONS_PER_ADDRESS: '0' })).toMatch(/^MAX_SESSIONS_PER_ADDRESS: MAX_SESSIONS_PER_ADDRESS must be at least 1/);
  });
});
