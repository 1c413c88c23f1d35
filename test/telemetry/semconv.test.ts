/**
 * The GenAI names we emit are the OpenTelemetry semantic conventions' own: each constant of
 * `GEN_AI` is an attribute or metric name exported by `@opentelemetry/semantic-conventions`
 * (its `incubating` entry, where the GenAI conventions live), the version the docs name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as conventions from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { GEN_AI } from '../../src/telemetry/index.js';

const require = createRequire(import.meta.url);
// The package's exports do not include its package.json: read it next to its entry's folder.
const entry = require.resolve('@opentelemetry/semantic-conventions');
const version: string = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version;

describe('GenAI semantic conventions', () => {
  it('every GEN_AI name is one the conventions define', () => {
    const names = new Set(Object.values(conventions).filter((value) => typeof value === 'string'));
    const unknown = Object.entries(GEN_AI).filter(([, name]) => !names.has(name));
    expect(unknown).toEqual([]);
  });

  it('the docs name the conventions version the names are checked against', () => {
    const [major, minor] = version.split('.');
    const docs = readFileSync(new URL('../../docs/telemetry.md', import.meta.url), 'utf8');
    expect(docs).toContain(`semconv ${major}.${minor}`);
  });
});
