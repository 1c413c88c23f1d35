import { describe, expect, it } from 'vitest';
import { redactConnectionSecrets, redactUrlCredentials } from './redact.js';

describe('redactConnectionSecrets', () => {
  it('hides the password of a connection URL and keeps the role name', () => {
    expect(redactConnectionSecrets('connect postgres://app:pw-9876@db:5432/x failed')).toBe('connect postgres://app:***@db:5432/x failed');
  });

  it('hides password-like pairs, JWTs and Supabase keys, and keeps the rest', () => {
    expect(redactConnectionSecrets('host=db password=hunter2 dbname=x')).toBe('host=db password=*** dbname=x');
    expect(redactConnectionSecrets('/rest/v1/flags?apikey=abc&select=*')).toBe('/rest/v1/flags?apikey=***&select=*');
    expect(redactConnectionSecrets('Bearer eyJhbGciOi.eyJyb2xlIjo.c2lnbmF0dXJl')).toBe('Bearer ***');
    expect(redactConnectionSecrets('key sb_secret_abc123')).toBe('key sb_secret_***');
  });
});

describe('redactUrlCredentials', () => {
  it('hides the whole userinfo and every query value', () => {
    expect(redactUrlCredentials('https://token@otel.example.com/v1?dataset=prod')).toBe('https://***@otel.example.com/v1?dataset=***');
  });

  it('gives an empty string for a value that is not a string', () => {
    expect(redactUrlCredentials(42 as unknown as string)).toBe('');
  });
});
