/**
 * Rollout decisions posted to Discord: the controller's `onDecision` sends
 * `rolloutDecisionPayload` through a telemetry notifier to the Discord-protocol stand-in, which
 * refuses what Discord would (limits, empty messages).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createRolloutController, rolloutDecisionPayload } from '../../src/rollouts/index.js';
import { createTelemetry } from '../../src/telemetry/index.js';
import { limitProblem, startDiscordServer } from './discord-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
const group = (requests: number, errors: number) => ({
  requests,
  errors,
  latencySum: 0,
  latencySumSquares: 0,
  costSum: 0,
  costSumSquares: 0,
});

describe('rollout decisions on Discord', () => {
  it('posts a rollback with its reasons and figures, and nothing for a hold the app chose not to post', async () => {
    const server = await startDiscordServer();
    closers.push(server.close);
    const telemetry = createTelemetry();
    const discord = telemetry.discord({ webhookUrl: `${server.base}/good-token`, intervalMs: 0 });
    const storage = createMemoryStorage({ flags: [{ key: 'new-search', environment: 'production', enabled: true, rollout: 5 }] });
    let figures = { treatment: group(20, 0), control: group(400, 4) };
    const controller = createRolloutController({
      storage,
      plan: {
        flagKey: 'new-search',
        environment: 'production',
        steps: [5, 25, 100],
        minStepMs: 0,
        minSamplePerStep: 100,
        guardrails: [{ metric: 'error_rate' }],
      },
      metrics: { read: async () => figures },
      enabled: true,
      logger: { warn: () => {}, error: () => {} },
      onDecision: async (d) => {
        if (d.action !== 'hold') await discord.send(rolloutDecisionPayload(d));
      },
    });
    expect((await controller.check()).action).toBe('hold');
    figures = { treatment: group(2_000, 200), control: group(38_000, 380) };
    expect((await controller.check()).action).toBe('rollback');
    await discord.flush();
    expect(server.posted.map((p) => p.status)).toEqual([204]);
    const body = server.posted[0]!.body;
    expect(limitProblem(body)).toBeUndefined();
    const embed = body.embeds![0]!;
    expect(embed.title).toBe('Rollout of new-search ROLLED BACK: 5 % → 0 %');
    expect(embed.description).toMatch(/^• error rate is worse on the new code: 10 % against 1 %/);
    expect(embed.fields?.[0]).toMatchObject({
      name: 'error_rate',
      value: expect.stringMatching(/^harmed: new 10\.00 %, rest 1\.00 % \(difference /),
    });
    await discord.close?.();
    await telemetry.shutdown();
  });

  it('a decision with a long key and many reasons is fitted to Discord limits and accepted; a dry run is marked', async () => {
    const server = await startDiscordServer();
    closers.push(server.close);
    const telemetry = createTelemetry();
    const discord = telemetry.discord({ webhookUrl: `${server.base}/good-token`, intervalMs: 0 });
    const payload = rolloutDecisionPayload({
      flagKey: 'k'.repeat(128),
      action: 'advance',
      from: 1,
      to: 5,
      reasons: Array.from({ length: 50 }, () => 'r'.repeat(200)),
      guardrails: [],
      treatmentRequests: 10,
      stepAgeMs: 600_000,
      at: Date.UTC(2026, 11, 4),
      dryRun: true,
    });
    expect(payload.embeds?.[0]?.title).toContain('(dry run: nothing written)');
    expect(await discord.send(payload)).toEqual({ ok: true });
    expect(server.posted.map((p) => p.status)).toEqual([204]);
    expect(limitProblem(server.posted[0]!.body)).toBeUndefined();
    await discord.close?.();
    await telemetry.shutdown();
  });
});
