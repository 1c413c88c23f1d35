/**
 * The demo's guarded-rollout act: a release of `new-search` whose new code fails 4 % of requests
 * (the old code 1 %) goes through a plan of 1 → 5 → 25 → 50 → 100 %, with simulated users on a
 * simulated clock (10-second ticks, seeded: the same timeline every run), until the controller
 * sees the error rate harmed and rolls it back. Returns the decisions and, per minute, the rollout
 * percentage and both groups' error rates for the chart.
 */
import type { RolloutDecision, RolloutPlan } from '@tiqology/elite/rollouts';

/** The flag the act rolls out. */
export const ROLLOUT_FLAG = 'new-search';

/** The act's plan. */
export const DEMO_ROLLOUT_PLAN: RolloutPlan = {
  flagKey: ROLLOUT_FLAG,
  environment: 'production',
  steps: [1, 5, 25, 50, 100],
  minStepMs: 5 * 60_000,
  minSamplePerStep: 300,
  guardrails: [{ metric: 'error_rate' }, { metric: 'latency', tolerance: 0.1 }],
};

/** One minute of the act, for the chart. */
export interface RolloutMinute {
  /** Minutes since the start. */
  minute: number;
  /** The flag's rollout at the end of the minute, %. */
  rollout: number;
  /** Error rate of the requests on the new code during the minute (undefined: none). */
  newErrorRate: number | undefined;
  /** Error rate of the other requests during the minute. */
  oldErrorRate: number | undefined;
}

/** What the act produced. */
export interface RolloutAct {
  /** Every decision that was not a hold, in order. */
  timeline: RolloutDecision[];
  /** Per-minute figures. */
  minutes: RolloutMinute[];
  /** Distinct users served the new code before the rollback. */
  exposedUsers: number;
  /** Requests in the act. */
  requests: number;
  /** When the act began, ms since the epoch (simulated). */
  startedAt: number;
}

const TICK_MS = 10_000;
const REQUESTS_PER_TICK = 1_000;
const MAX_TICKS = 360;

/** Runs the act with `random` (seeded); never touches the network. */
export async function runRolloutAct(random: () => number): Promise<RolloutAct> {
  const [{ createFlags }, { createMemoryStorage }, { createRolloutController, createRolloutRecorder }] = await Promise.all([
    import('@tiqology/elite'),
    import('@tiqology/elite/adapters/memory'),
    import('@tiqology/elite/rollouts'),
  ]);
  const startedAt = Date.UTC(2026, 0, 12, 14, 0);
  let clock = startedAt;
  const now = () => clock;
  const quiet = { warn: () => {}, error: () => {} };
  const storage = createMemoryStorage({ flags: [{ key: ROLLOUT_FLAG, environment: 'production', enabled: true, rollout: 0 }], now });
  const flags = createFlags({ storage, environment: 'production', logger: quiet, now, trackExposures: false });
  await flags.refresh();
  const recorder = createRolloutRecorder({ now });
  const controller = createRolloutController({ storage, plan: DEMO_ROLLOUT_PLAN, metrics: recorder, enabled: true, now, logger: quiet });
  const timeline: RolloutDecision[] = [];
  const minutes: RolloutMinute[] = [];
  const exposed = new Set<string>();
  let rollout = 0;
  let window = { newRequests: 0, newErrors: 0, oldRequests: 0, oldErrors: 0 };
  let requests = 0;
  try {
    for (let tick = 1; tick <= MAX_TICKS; tick++) {
      for (let i = 0; i < REQUESTS_PER_TICK; i++) {
        const user = `user-${Math.floor(random() * 200_000)}`;
        const onNew = flags.isEnabledSync(ROLLOUT_FLAG, user);
        if (onNew) exposed.add(user);
        const error = random() < (onNew ? 0.04 : 0.01);
        const latencyMs = 120 * Math.exp(0.4 * (random() + random() + random() - 1.5));
        recorder.record(ROLLOUT_FLAG, onNew, { error, latencyMs });
        requests++;
        if (onNew) {
          window.newRequests++;
          if (error) window.newErrors++;
        } else {
          window.oldRequests++;
          if (error) window.oldErrors++;
        }
      }
      clock += TICK_MS;
      const decision = await controller.check();
      if (decision.action !== 'hold') timeline.push(decision);
      if (decision.action === 'advance' || decision.action === 'rollback') {
        rollout = decision.to;
        await flags.refresh();
      }
      const done = decision.action === 'rollback' || decision.action === 'complete';
      if (tick % 6 === 0 || done) {
        const rate = (errors: number, n: number) => (n === 0 ? undefined : errors / n);
        minutes.push({
          minute: (clock - startedAt) / 60_000,
          rollout,
          newErrorRate: rate(window.newErrors, window.newRequests),
          oldErrorRate: rate(window.oldErrors, window.oldRequests),
        });
        window = { newRequests: 0, newErrors: 0, oldRequests: 0, oldErrors: 0 };
      }
      if (done) break;
    }
  } finally {
    await flags.close();
  }
  return { timeline, minutes, exposedUsers: exposed.size, requests, startedAt };
}
