/**
 * A rollout decision as a Discord message, for `onDecision`: send it with a telemetry Discord
 * notifier (`telemetry.discord({ webhookUrl }).send(rolloutDecisionPayload(decision))`), which
 * queues, retries and fits it to Discord's limits. Holds are usually not worth a message: the
 * caller chooses which actions to post.
 */
import type { DiscordEmbed, DiscordPayload } from '../telemetry/discord-payload.js';
import type { GuardrailResult, RolloutDecision } from './types.js';

/** Card colours per action: green advance and complete, grey hold, red rollback. */
const COLORS: Record<RolloutDecision['action'], number> = { advance: 0x2ecc71, complete: 0x2ecc71, hold: 0x95a5a6, rollback: 0xe74c3c };

const TITLES: Record<RolloutDecision['action'], string> = {
  advance: 'advanced',
  complete: 'complete',
  hold: 'holding',
  rollback: 'ROLLED BACK',
};

const figure = (g: GuardrailResult, x: number) =>
  g.metric === 'error_rate' || g.kind === 'binomial' ? `${(x * 100).toFixed(2)} %` : Number(x.toPrecision(4)).toString();

function guardrailField(g: GuardrailResult): NonNullable<DiscordEmbed['fields']>[number] {
  const interval = g.interval === undefined ? '' : ` (difference ${figure(g, g.interval[0])} to ${figure(g, g.interval[1])})`;
  const value =
    g.status === 'no_data'
      ? 'not enough requests yet'
      : `${g.status}: new ${figure(g, g.treatment)}, rest ${figure(g, g.control)}${interval}`;
  return { name: g.metric, value, inline: false };
}

/** The Discord message of one decision: the action and percentages, the reasons, each guardrail's figures. */
export function rolloutDecisionPayload(decision: RolloutDecision): DiscordPayload {
  const dry = decision.dryRun && (decision.action === 'advance' || decision.action === 'rollback') ? ' (dry run: nothing written)' : '';
  const embed: DiscordEmbed = {
    title: `Rollout of ${decision.flagKey} ${TITLES[decision.action]}: ${decision.from} % → ${decision.to} %${dry}`,
    description: decision.reasons.map((r) => `• ${r}`).join('\n'),
    color: COLORS[decision.action],
    timestamp: new Date(decision.at).toISOString(),
    fields: [
      ...decision.guardrails.map(guardrailField),
      {
        name: 'step',
        value: `${Math.round(decision.stepAgeMs / 60_000)} min, ${decision.treatmentRequests} requests on the new code`,
        inline: true,
      },
    ],
    footer: { text: 'tiqology rollouts' },
  };
  return { username: 'TiQology Elite', embeds: [embed] };
}
