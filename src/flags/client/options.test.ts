import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { createFlags } from '../create-flags.js';
import type { FlagDefinition } from '../types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34, value: 20 },
    { key: 'variant-a', weight: 33, value: 25 },
    { key: 'variant-b', weight: 33, value: 30 },
  ],
};

describe('createFlags: configuration errors throw early', () => {
  it.each([
    [{ environment: 'Prod Env' }, /environment must match/],
    [{ cacheTtlMs: 0 }, /cacheTtlMs must be a whole number > 0, got 0/],
    [{ cacheMax: -1 }, /cacheMax/],
    [{ timeoutMs: 1.5 }, /timeoutMs/],
    [{ storage: {} }, /storage must implement StorageAdapter \(missing getFlag/],
    [{ onError: 'log' }, /onError must be a function/],
    [{ now: 5 }, /now must be a function/],
    [{ bootstrap: { flags: 'x' } }, /bootstrap must be an array/],
    [{ bootstrap: { environment: 'staging', flags: [] } }, /bootstrap is for environment "staging"/],
    [{ bootstrap: [{ ...experiment, environment: 'staging' }] }, /is for environment "staging"/],
    [{ bootstrap: [{ ...experiment, rollout: 300 }] }, /rollout must be 0–100/],
  ])('%j', (options, message) => {
    expect(() => createFlags(options as never)).toThrow(message);
    try {
      createFlags(options as never);
    } catch (error) {
      expect(error).toBeInstanceOf(EliteError);
      expect(['INVALID_OPTIONS', 'INVALID_FLAG']).toContain((error as EliteError).code);
    }
  });

  it('rejects a non-object', () => {
    expect(() => createFlags(null as never)).toThrow(/options must be an object/);
  });
});
