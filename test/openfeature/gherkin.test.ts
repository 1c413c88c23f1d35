/**
 * The OpenFeature specification's Gherkin suites (test/fixtures/openfeature-spec/, Apache-2.0),
 * every scenario run through the real OpenFeature server SDK against our provider over a real
 * flags client. Scenarios where we differ on purpose are listed in DELIBERATE with the reason
 * (docs/openfeature.md says the same to users); they run too and must fail, so the list cannot go
 * stale: a listed scenario that starts passing fails this file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type Pickle } from '@cucumber/messages';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { runStep } from './steps.js';
import { World } from './world.js';

const FIXTURES = new URL('../fixtures/openfeature-spec/', import.meta.url);

/**
 * Scenarios we fail on purpose, by the start of their name (or a tag), with why.
 * - CACHED: every call evaluates the cached definition afresh; the reason says why this value
 *   (STATIC, SPLIT…), which CACHED would hide. Caching is visible in `client.stats()`.
 * - FATAL: our provider has no fatal state. Every store failure is retried (the provider goes
 *   ERROR or STALE and back to READY); a misconfigured client throws at `createFlags()` instead.
 * - Immutable details: the SDK, not the provider, builds the object `get…Details()` returns, and
 *   the JS server SDK freezes only its `flagMetadata`; a provider cannot change that.
 */
const DELIBERATE: [match: (pickle: Pickle) => boolean, why: string][] = [
  [(p) => p.tags.some((t) => t.name === '@reason-codes-cached'), 'CACHED is never a reason: answers are evaluated at each call'],
  [(p) => p.steps.some((step) => step.text === 'a fatal provider'), 'the provider has no FATAL state'],
  [
    (p) => p.steps.some((step) => step.text === 'the evaluation details should be immutable'),
    'the JS server SDK builds the details object itself and does not freeze it (their flagMetadata is frozen)',
  ],
];

function pickles(file: string): readonly Pickle[] {
  const newId = IdGenerator.uuid();
  const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
  return compile(document, file, newId);
}

const features = readdirSync(FIXTURES).filter((name) => name.endsWith('.feature'));
const counts = { scenarios: 0, deliberate: 0 };

afterAll(async () => {
  await OpenFeature.close();
});

it('finds every suite of the spec', () => {
  expect(features.sort()).toEqual([
    'contextMerging.feature',
    'evaluation.feature',
    'evaluation_v2.feature',
    'hooks.feature',
    'metadata.feature',
  ]);
});

for (const feature of features) {
  describe(feature, () => {
    for (const pickle of pickles(feature)) {
      const deliberate = DELIBERATE.find(([match]) => match(pickle));
      const example = pickle.steps.map((step) => step.text).find((text) => /"[^"]*"/.test(text)) ?? '';
      const title = `${pickle.name}: ${example}${deliberate ? ` (deliberately different: ${deliberate[1]})` : ''}`;
      counts.scenarios++;
      if (deliberate) counts.deliberate++;
      (deliberate ? it.fails : it)(title, async () => {
        const world = new World();
        try {
          for (const step of pickle.steps) {
            const rows = step.argument?.dataTable?.rows.map((row) => row.cells.map((cell) => cell.value)) ?? [];
            await runStep(world, step.text, rows);
          }
        } finally {
          await world.cleanup();
        }
      });
    }
  });
}

it('runs the whole suite, with few deliberate differences', () => {
  expect(counts.scenarios).toBeGreaterThanOrEqual(130);
  expect(counts.deliberate).toBe(9);
});
