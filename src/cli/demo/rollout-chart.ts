/**
 * The SVG chart of the demo's guarded rollout: the rollout percentage as a step line (left axis,
 * 0-100 %) and the error rate of the new code and of the rest per minute (right axis), with the
 * controller's decisions as vertical markers. A self-contained string, like the forecast chart.
 */
import type { RolloutDecision } from '@tiqology/elite/rollouts';
import type { RolloutAct } from './rollout-act.js';

const W = 720;
const H = 300;
const PAD = { left: 48, right: 56, top: 40, bottom: 36 };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (x: number) => Number(x.toFixed(1)).toString();

/** Draws the act as an SVG document. */
export function rolloutChart(act: RolloutAct): string {
  const lastMinute = Math.max(1, ...act.minutes.map((m) => m.minute));
  const rates = act.minutes.flatMap((m) => [m.newErrorRate ?? 0, m.oldErrorRate ?? 0]);
  const maxRate = Math.max(0.01, ...rates) * 1.15;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (minute: number) => PAD.left + (minute / lastMinute) * plotW;
  const yPercent = (p: number) => PAD.top + plotH - (p / 100) * plotH;
  const yRate = (r: number) => PAD.top + plotH - (r / maxRate) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">Guarded rollout of new-search: rollout % and error rate per minute</text>`,
  );
  for (const p of [0, 25, 50, 75, 100]) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fixed(yPercent(p))}" y2="${fixed(yPercent(p))}" stroke="#eee"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${fixed(yPercent(p) + 4)}" text-anchor="end">${p} %</text>`);
    const r = (maxRate * p) / 100;
    parts.push(`<text x="${W - PAD.right + 6}" y="${fixed(yPercent(p) + 4)}" fill="#c0392b">${fixed(r * 100)} %</text>`);
  }
  for (let m = 0; m <= lastMinute; m += 5)
    parts.push(`<text x="${fixed(x(m))}" y="${H - PAD.bottom + 16}" text-anchor="middle">${m} min</text>`);
  // Rollout as a step line: each minute's value holds until the next.
  let path = `M${fixed(x(0))},${fixed(yPercent(0))}`;
  let previous = 0;
  for (const m of act.minutes) {
    path += ` L${fixed(x(m.minute))},${fixed(yPercent(previous))} L${fixed(x(m.minute))},${fixed(yPercent(m.rollout))}`;
    previous = m.rollout;
  }
  parts.push(`<path d="${path}" fill="none" stroke="#2c7be5" stroke-width="2"/>`);
  const line = (pick: (m: RolloutAct['minutes'][number]) => number | undefined, color: string, dash: string) => {
    const points = act.minutes.flatMap((m) => {
      const r = pick(m);
      return r === undefined ? [] : [`${fixed(x(m.minute))},${fixed(yRate(r))}`];
    });
    if (points.length > 0) parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
  };
  line((m) => m.newErrorRate, '#c0392b', '');
  line((m) => m.oldErrorRate, '#7f8c8d', ' stroke-dasharray="4 3"');
  for (const d of act.timeline) marker(parts, d, x((d.at - act.startedAt) / 60_000), plotH);
  const legend = [
    ['#2c7be5', 'rollout % (left)'],
    ['#c0392b', 'error rate, new code (right)'],
    ['#7f8c8d', 'error rate, the rest (right)'],
  ];
  legend.forEach(([color, label], i) => {
    const lx = PAD.left + i * 200;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="30" y2="30" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 22}" y="34">${escapeXml(label as string)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function marker(parts: string[], decision: RolloutDecision, at: number, plotH: number): void {
  const color = decision.action === 'rollback' ? '#c0392b' : '#27ae60';
  parts.push(
    `<line x1="${fixed(at)}" x2="${fixed(at)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${color}" stroke-dasharray="2 2"/>`,
  );
  const label = decision.action === 'rollback' ? 'rollback' : `${decision.to} %`;
  parts.push(`<text x="${fixed(at + 3)}" y="${PAD.top + 12}" fill="${color}">${escapeXml(label)}</text>`);
}
