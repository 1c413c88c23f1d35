import { describe, expect, it } from 'vitest';
import { isEliteError } from '../internal/errors.js';
import { redactUrlCredentials as redactSecrets } from '../internal/redact.js';
import { createTelemetry } from './telemetry.js';

describe('credentials never reach an error or a log line', () => {
  it('init() with a bad OTLP endpoint: INVALID_OPTIONS without the password, token or query key', () => {
    const endpoints = [
      'ftp://otel-user:hunter2-secret@collector.example.com:4318',
      'ftp://tok_live_abcdef@collector.example.com/v1/traces',
      'ftp://collector.example.com/v1/traces?api-key=sk_live_zzz&dataset=prod',
      'not a url user:hunter2-secret@host',
    ];
    for (const endpoint of endpoints) {
      let error: unknown;
      try {
        void createTelemetry().init({ otlp: { endpoint } });
      } catch (e) {
        error = e;
      }
      expect(isEliteError(error, 'INVALID_OPTIONS')).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/otlp\.endpoint must be an http\(s\) URL/);
      for (const secret of ['hunter2-secret', 'tok_live_abcdef', 'sk_live_zzz']) expect(message).not.toContain(secret);
      expect(message).toContain('collector.example.com'.slice(0, endpoint.startsWith('not') ? 0 : 9));
    }
  });

  it('redactSecrets hides userinfo, query values and Discord webhook tokens, and keeps the rest', () => {
    expect(redactSecrets('https://u:p@otel.example.com/v1/traces?key=abc&x=1')).toBe(
      'https://***@otel.example.com/v1/traces?key=***&x=***',
    );
    expect(redactSecrets('POST https://discord.com/api/webhooks/123/AbC-token_9?wait=true failed')).toBe(
      'POST https://discord.com/api/webhooks/123/***?wait=*** failed',
    );
    expect(redactSecrets('connect ECONNREFUSED 127.0.0.1:4318')).toBe('connect ECONNREFUSED 127.0.0.1:4318');
  });
});
