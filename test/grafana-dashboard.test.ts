/**
 * The shipped Grafana dashboard against Grafana's documented dashboard JSON model ("Dashboard
 * JSON model" in Grafana's docs: top-level fields, panels with `gridPos` on a 24-column grid,
 * template variables, queries by `refId`). Grafana itself is not packaged for Debian, so this is a
 * structural check written from that documentation; the queries themselves are run against a real
 * Prometheus in test/prometheus/prometheus.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Target {
  refId?: unknown;
  expr?: unknown;
  datasource?: { type?: unknown; uid?: unknown };
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { h?: unknown; w?: unknown; x?: unknown; y?: unknown };
  datasource?: { type?: unknown; uid?: unknown };
  targets?: Target[];
}
interface Dashboard {
  uid?: unknown;
  title?: unknown;
  tags?: unknown;
  timezone?: unknown;
  editable?: unknown;
  schemaVersion?: unknown;
  version?: unknown;
  refresh?: unknown;
  time?: { from?: unknown; to?: unknown };
  templating?: { list?: { name?: unknown; type?: unknown }[] };
  annotations?: { list?: unknown };
  panels?: Panel[];
}

// Grafana's built-in panel plugins this dashboard may use.
const PANEL_TYPES = new Set(['stat', 'timeseries', 'table', 'bargauge', 'gauge', 'piechart', 'text', 'row', 'barchart']);
const isInt = (value: unknown): value is number => Number.isInteger(value);

/** Every problem of `dashboard` against the documented model; empty when it conforms. */
function dashboardProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  need(typeof dashboard.uid === 'string' && /^[A-Za-z0-9_-]{8,40}$/.test(dashboard.uid), 'uid: a string of 8 to 40 characters');
  need(typeof dashboard.title === 'string' && dashboard.title !== '', 'title: a non-empty string');
  need(Array.isArray(dashboard.tags) && dashboard.tags.every((tag) => typeof tag === 'string'), 'tags: an array of strings');
  need(['browser', 'utc', ''].includes(dashboard.timezone as string), 'timezone: browser, utc or empty');
  need(typeof dashboard.editable === 'boolean', 'editable: a boolean');
  need(
    isInt(dashboard.schemaVersion) && (dashboard.schemaVersion as number) >= 36,
    'schemaVersion: an integer ≥ 36 (panels with datasource objects)',
  );
  need(isInt(dashboard.version), 'version: an integer');
  need(typeof dashboard.refresh === 'string' && /^(\d+[smhd])?$/.test(dashboard.refresh), 'refresh: an interval such as 30s');
  need(typeof dashboard.time?.from === 'string' && typeof dashboard.time?.to === 'string', 'time: { from, to }');
  need(Array.isArray(dashboard.annotations?.list), 'annotations.list: an array');
  const variables = dashboard.templating?.list;
  need(Array.isArray(variables), 'templating.list: an array');
  const defined = new Set((variables ?? []).map((variable) => variable.name));
  need(Array.isArray(dashboard.panels) && dashboard.panels.length > 0, 'panels: a non-empty array');
  const ids = new Set<unknown>();
  const cells = new Map<string, unknown>();
  for (const panel of dashboard.panels ?? []) {
    const name = `panel ${String(panel.id)} (${String(panel.title)})`;
    need(isInt(panel.id) && !ids.has(panel.id), `${name}: id a unique integer`);
    ids.add(panel.id);
    need(PANEL_TYPES.has(panel.type as string), `${name}: type a built-in panel, got ${String(panel.type)}`);
    need(typeof panel.title === 'string' && panel.title !== '', `${name}: a title`);
    const { h, w, x, y } = panel.gridPos ?? {};
    const grid = isInt(h) && isInt(w) && isInt(x) && isInt(y) && h > 0 && w > 0 && x >= 0 && y >= 0 && x + w <= 24;
    need(grid, `${name}: gridPos { h, w, x, y } integers within the 24 columns`);
    if (grid)
      for (let row = y; row < y + h; row++)
        for (let column = x; column < x + w; column++) {
          const cell = `${row}:${column}`;
          need(!cells.has(cell), `${name}: overlaps panel ${String(cells.get(cell))}`);
          cells.set(cell, panel.id);
        }
    need(panel.datasource?.type === 'prometheus', `${name}: a prometheus datasource`);
    const targets = panel.targets ?? [];
    need(targets.length > 0, `${name}: at least one target`);
    const refIds = new Set<unknown>();
    for (const target of targets) {
      need(typeof target.refId === 'string' && /^[A-Z]$/.test(target.refId) && !refIds.has(target.refId), `${name}: refIds unique letters`);
      refIds.add(target.refId);
      need(typeof target.expr === 'string' && target.expr.trim() !== '', `${name}: target ${String(target.refId)} has an expr`);
      for (const [, variable] of String(target.expr).matchAll(/\$\{?(\w+)/g))
        need(defined.has(variable), `${name}: expr uses $${variable}, not a dashboard variable`);
    }
    for (const source of [panel.datasource, ...targets.map((target) => target.datasource)]) {
      const uid = String(source?.uid ?? '');
      const variable = /^\$\{(\w+)\}$/.exec(uid)?.[1];
      if (variable !== undefined) need(defined.has(variable), `${name}: datasource uses $${variable}, not a dashboard variable`);
    }
  }
  return problems;
}

const dashboard = JSON.parse(readFileSync(new URL('../grafana/dashboard.json', import.meta.url), 'utf8')) as Dashboard;

describe('grafana/dashboard.json', () => {
  it('follows the documented dashboard model', () => {
    expect(dashboardProblems(dashboard)).toEqual([]);
  });

  it('has the attribution panels: cost per feature, top spenders, cost per variant', () => {
    const exprsOf = (title: string) =>
      dashboard.panels?.find((panel) => panel.title === title)?.targets?.map((target) => target.expr) ?? [];
    expect(exprsOf('LLM cost per hour by feature').join()).toContain('llm_feature_cost_usd_total');
    expect(exprsOf('Top spenders (last hour)').join()).toContain('topk(10, sum by (user) (increase(llm_user_cost_usd_total');
    expect(exprsOf('LLM cost per hour by flag variant').join()).toContain('llm_variant_cost_usd_total');
    expect(exprsOf('LLM cost per call by flag variant').join()).toContain('llm_variant_completions_total');
  });

  it('has the anomaly panels: the observed value against the recorded band, and the probability', () => {
    const exprsOf = (title: string) =>
      dashboard.panels?.find((panel) => panel.title === title)?.targets?.map((target) => target.expr) ?? [];
    const band = exprsOf('Anomaly watch: observed and expected range').join();
    for (const name of ['elite_anomaly_observed', 'elite:anomaly_expected:lower', 'elite:anomaly_expected:upper'])
      expect(band).toContain(name);
    expect(exprsOf('Anomaly probability').join()).toContain('elite_anomaly_probability');
  });

  it('the check finds broken dashboards (it can fail)', () => {
    const broken = structuredClone(dashboard);
    const [first, second] = broken.panels as Panel[];
    (second as Panel).id = (first as Panel).id;
    (second as Panel).gridPos = { ...(first as Panel).gridPos, w: 30 };
    ((first as Panel).targets as Target[])[0] = { refId: 'A', expr: 'rate(x{job=~"$nope"}[5m])' };
    broken.uid = 'x';
    const problems = dashboardProblems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'uid: a string of 8 to 40 characters',
        expect.stringMatching(/id a unique integer/),
        expect.stringMatching(/within the 24 columns/),
        expect.stringMatching(/uses \$nope/),
      ]),
    );
    const overlapping = structuredClone(dashboard);
    ((overlapping.panels as Panel[])[1] as Panel).gridPos = (overlapping.panels as Panel[])[0]?.gridPos;
    expect(dashboardProblems(overlapping).some((problem) => problem.includes('overlaps'))).toBe(true);
  });
});
