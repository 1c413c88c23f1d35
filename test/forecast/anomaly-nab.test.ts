import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forecast, nabWindows, parseNabTimestamp, scoreNab } from '../../src/forecast/index.js';

const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'nab-corpus');
/** A fixed subset of NAB: spikes, level shifts, a no-anomaly file, bursty counts, seasonal traffic. */
const SUBSET = [
  'artificialNoAnomaly/art_daily_small_noise.csv',
  'artificialWithAnomaly/art_daily_jumpsdown.csv',
  'realAWSCloudwatch/ec2_cpu_utilization_ac20cd.csv',
  'realAdExchange/exchange-2_cpc_results.csv',
  'realKnownCause/ec2_request_latency_system_failure.csv',
  'realTraffic/occupancy_t4013.csv',
  'realTweets/Twitter_volume_GOOG.csv',
];

/**
 * Measured 69.46 (standard profile) with the defaults on this subset only — not a corpus score (the
 * corpus scores are in docs/benchmarks.md); the bar sits just under it, so any loss on the subset fails
 * here. (The residual-only detector scored 73.9 on this subset but 53.0 on the corpus; with the value
 * novelty on both scales the corpus score was 66.7, 70.1 with the residual recurrence discount.)
 */
const BAR = 69.4;

describe('detector on a NAB subset (regression bar)', () => {
  // Speed is measured by `npm run bench:anomaly` (µs per point), not asserted in a timed unit test.
  it('scores the subset with the defaults at or above the recorded bar', () => {
    const labels = JSON.parse(readFileSync(join(CORPUS, 'labels', 'combined_windows.json'), 'utf8'));
    const files = SUBSET.map((key) => {
      const rows = gunzipSync(readFileSync(join(CORPUS, 'data', `${key}.gz`)))
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(1);
      const timestamps = rows.map((r) => parseNabTimestamp(r.slice(0, r.indexOf(','))));
      const values = rows.map((r) => Number(r.slice(r.indexOf(',') + 1)));
      const d = forecast.detector();
      const scores = values.map((v, i) => d.update(timestamps[i] as number, v).score);
      return { name: key, timestamps, scores, windows: nabWindows(labels, key) };
    });
    const standard = scoreNab(files);
    expect(standard.score).toBeGreaterThanOrEqual(BAR);
    expect(scoreNab(files, { profile: 'reward_low_FN_rate' }).score).toBeGreaterThan(0);
  });
});
