/**
 * The studio over real HTTP on loopback: access (loopback host, token off loopback), escaping,
 * secrets, server-side validation of every write, diff before save, conflicts, the experiment's
 * numbers against `tiqology results --json`, and the forecast form.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { experimentEvents, PRICING } from '../../../test/cli/events.js';
import { runCli } from '../../../test/cli/in-process.js';
import { createMemoryStorage } from '../../adapters/memory.js';
import type { StorageAdapter } from '../../index.js';
import { ROLLOUT_DECISION_KEY, ROLLOUT_STATE_KEY, ROLLOUT_WRITER } from '../../rollouts/index.js';
import { type ServedStudio, serveStudio } from '../commands/studio.js';
import { escapeHtml, html, trustedSvg } from './html.js';
import { type RunningStudio, startStudio } from './server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with full control of the headers (Host included). */
function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const formKeyOf = (page: string) => /name="_key" value="([^"]+)"/.exec(page)?.[1] as string;
const post = (url: string, fields: Record<string, string>) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

const DESCRIPTION = 'Checkout <script>alert("x")</script> & more';
let cwd: string;
let served: ServedStudio | undefined;
let running: RunningStudio | undefined;
const readFlags = () =>
  JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8')).flags as {
    key: string;
    version: number;
    rollout?: number;
    enabled: boolean;
    variants?: { weight: number }[];
  }[];

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'elite-studio-'));
  writeFileSync(
    join(cwd, 'flags.json'),
    JSON.stringify({
      flags: [
        { key: 'checkout', environment: 'production', enabled: true, rollout: 10, description: DESCRIPTION },
        PRICING,
        {
          key: 'search',
          environment: 'production',
          enabled: false,
          rules: [{ condition: { country: { $in: ['DE', 'FR'] } }, rollout: 50 }],
        },
      ],
      events: experimentEvents(300, { control: 30, 'variant-b': 45 }),
    }),
  );
});
afterEach(async () => {
  await served?.stop();
  await running?.close();
  served = undefined;
  running = undefined;
});

const start = async (values: Record<string, string> = {}, env: Record<string, string> = {}) => {
  served = await serveStudio(
    { file: 'flags.json', ...values },
    { stdout: { write: () => true }, stderr: { write: () => true }, env, cwd, readStdin: async () => '' },
  );
  return served.studio.url;
};

describe('html``', () => {
  it('escapes every interpolated value unless it is Html', () => {
    expect(String(html`<p>${'<b>"&\'`'}</p>`)).toBe('<p>&lt;b&gt;&quot;&amp;&#39;&#96;</p>');
    expect(String(html`<ul>${['<i>', html`<li>ok</li>`]}</ul>`)).toBe('<ul>&lt;i&gt;<li>ok</li></ul>');
    expect(String(html`${undefined}${null}${false}${0}`)).toBe('0');
    expect(escapeHtml('<x>')).toBe('&lt;x&gt;');
    expect(() => trustedSvg('<svg><script>alert(1)</script></svg>')).toThrow(/refused/);
    expect(() => trustedSvg('<svg onload="x()"></svg>')).toThrow(/refused/);
    expect(() => trustedSvg('<div></div>')).toThrow(/refused/);
  });
});

describe('studio: access', () => {
  it('serves loopback only by default and refuses other Host headers (DNS rebinding)', async () => {
    const url = await start();
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const list = await call(`${url}flags`);
    expect(list.status).toBe(200);
    expect(list.headers['content-security-policy']).toContain("script-src 'self'");
    expect(list.headers['x-frame-options']).toBe('DENY');
    const rebound = await call(`${url}flags`, { headers: { host: `evil.example:${new URL(url).port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('checkout');
  });

  it('off loopback: refuses to start without a token, and every request needs it', async () => {
    const memory = { label: 'memory', acquire: async () => ({ storage: createMemoryStorage(), release: async () => {} }) };
    await expect(startStudio({ store: memory, environment: 'production', host: '0.0.0.0' })).rejects.toThrow(/access token/);
    const token = 'a-token-of-24-characters';
    running = await startStudio({ store: memory, environment: 'production', host: '0.0.0.0', token });
    const base = `http://127.0.0.1:${new URL(running.url).port}`;
    const refused = await call(`${base}/flags`, { headers: { host: `studio.lan:${new URL(running.url).port}` } });
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('access token');
    expect((await call(`${base}/flags?token=wrong-token-of-24-chars`)).status).toBe(401);
    const entry = await call(`${base}/flags?token=${token}&env=production`);
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/flags?env=production');
    const cookie = String(entry.headers['set-cookie']).split(';')[0] as string;
    expect(String(entry.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await call(`${base}/flags`, { headers: { cookie } })).status).toBe(200);
    expect((await call(`${base}/flags`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // A cookie that is not valid percent-encoding is no token: 401, not a server error.
    const malformed = await call(`${base}/flags`, { headers: { cookie: `${cookie.split('=')[0]}=%E0%A4%A` } });
    expect(malformed.status).toBe(401);
  });

  it('the command prints that a token is required when bound beyond loopback', async () => {
    const url = await start({ host: '0.0.0.0' });
    expect(served?.openUrl).toMatch(/\?token=[A-Za-z0-9_-]{32}$/);
    expect((await call(`http://127.0.0.1:${new URL(url).port}/flags`)).status).toBe(401);
  });

  it('refuses a write without the page form key or from another origin; nothing is written', async () => {
    const url = await start();
    const page = (await call(`${url}flags`)).body;
    const key = formKeyOf(page);
    const noKey = await post(`${url}flags/checkout/toggle?env=production`, { version: '1', enabled: '' });
    expect(noKey.status).toBe(403);
    const foreign = await call(`${url}flags/checkout/toggle?env=production`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ _key: key, version: '1', enabled: '' }).toString(),
    });
    expect(foreign.status).toBe(403);
    expect(readFlags().find((f) => f.key === 'checkout')?.enabled).toBe(true);
    expect(
      (await call(`${url}flags/checkout/toggle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(415);
  });
});

describe('studio: flags', () => {
  it('lists and searches flags with descriptions escaped', async () => {
    const url = await start();
    const page = (await call(`${url}flags?q=check`)).body;
    expect(page).toContain('Checkout &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('1 flag shown');
    expect(page).not.toContain('data-flag="search"');
    const detail = (await call(`${url}flags/search?env=production`)).body;
    expect(detail).toContain('If country is one of &quot;DE&quot;, &quot;FR&quot;: to 50% of them');
    expect((await call(`${url}flags/nope?env=production`)).status).toBe(404);
    expect((await call(`${url}flags?env=Bad%20Env`)).status).toBe(400);
  });

  it('toggles the kill switch at the version shown, and a stale version is a conflict', async () => {
    const url = await start();
    const key = formKeyOf((await call(`${url}flags`)).body);
    const done = await post(`${url}flags/checkout/toggle?env=production`, {
      _key: key,
      version: '1',
      enabled: '',
      back: '/flags?env=production',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toMatch(/^\/flags\?env=production&saved=/);
    expect(readFlags().find((f) => f.key === 'checkout')).toMatchObject({ enabled: false, version: 2 });
    const stale = await post(`${url}flags/checkout/toggle?env=production`, { _key: key, version: '1', enabled: 'on' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('Conflict: nothing was saved');
    expect(readFlags().find((f) => f.key === 'checkout')).toMatchObject({ enabled: false, version: 2 });
    const offSite = await post(`${url}flags/checkout/toggle?env=production`, {
      _key: key,
      version: '2',
      enabled: 'on',
      back: '//evil.example/',
    });
    expect(offSite.headers.location).toMatch(/^\/flags\?env=production&saved=/);
  });

  it('an invalid weight or rollout shows each field error and writes nothing', async () => {
    const url = await start();
    const key = formKeyOf((await call(`${url}flags/pricing?env=production`)).body);
    const before = readFileSync(join(cwd, 'flags.json'), 'utf8');
    const answer = await post(`${url}flags/pricing/edit?env=production`, {
      _key: key,
      _version: '1',
      _step: 'review',
      enabled: 'on',
      rollout: '150',
      'variants[0].key': 'control',
      'variants[0].weight': 'abc',
      'variants[1].key': 'variant-b',
      'variants[1].weight': '50',
      rules: '[{',
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatch(/data-error-for="variants\[0\]\.weight">variants\[0\]\.weight must be[^<]*abc/);
    expect(answer.body).toMatch(/data-error-for="rollout">rollout must be 0–100/);
    expect(answer.body).toMatch(/data-error-for="rules">rules is not valid JSON/);
    expect(answer.body).toContain('aria-invalid="true"');
    expect(readFileSync(join(cwd, 'flags.json'), 'utf8')).toBe(before);
    const sum = await post(`${url}flags/pricing/edit?env=production`, {
      _key: key,
      _version: '1',
      _step: 'save',
      enabled: 'on',
      'variants[0].key': 'control',
      'variants[0].weight': '60',
      'variants[1].key': 'variant-b',
      'variants[1].weight': '50',
    });
    expect(sum.status).toBe(422);
    expect(sum.body).toMatch(/sum to 100/);
    expect(readFileSync(join(cwd, 'flags.json'), 'utf8')).toBe(before);
  });

  it('shows the diff before saving, saves at the version read, and refuses to overwrite a newer version', async () => {
    const url = await start();
    const key = formKeyOf((await call(`${url}flags/pricing?env=production`)).body);
    const before = readFileSync(join(cwd, 'flags.json'), 'utf8');
    const fields = {
      _key: key,
      _version: '1',
      enabled: 'on',
      rollout: '40',
      'variants[0].key': 'control',
      'variants[0].weight': '30',
      'variants[1].key': 'variant-b',
      'variants[1].weight': '70',
      rules: '',
      segments: '',
    };
    const review = await post(`${url}flags/pricing/edit?env=production`, { ...fields, _step: 'review' });
    expect(review.status).toBe(200);
    expect(review.body).toContain('data-field="rollout"');
    expect(review.body).toContain('data-field="variants"');
    expect(review.body).toContain('Save version 2');
    expect(readFileSync(join(cwd, 'flags.json'), 'utf8')).toBe(before);
    // Field names are data: constructor is a field like others; __proto__ starts with _, the studio's own, and is dropped.
    const odd = await call(`${url}flags/pricing/edit?env=production`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams({ ...fields, _step: 'review' }).toString()}&__proto__=x&constructor=y`,
    });
    expect(odd.status).toBe(200);
    expect(odd.body).toContain('name="constructor" value="y"');
    expect(odd.body).not.toContain('name="__proto__"');
    const saved = await post(`${url}flags/pricing/edit?env=production`, { ...fields, _step: 'save' });
    expect(saved.status).toBe(303);
    expect(readFlags().find((f) => f.key === 'pricing')).toMatchObject({
      version: 2,
      rollout: 40,
      variants: [{ weight: 30 }, { weight: 70 }],
    });
    // A second page that read version 1 saves after: a conflict, the first change stays.
    const late = await post(`${url}flags/pricing/edit?env=production`, { ...fields, rollout: '5', _step: 'save' });
    expect(late.status).toBe(409);
    expect(late.body).toContain('now at version 2');
    expect(late.body).toMatch(/<th scope="col">Stored now \(version 2\)<\/th><th scope="col">Your change \(not saved\)<\/th>/);
    expect(late.body).toMatch(/<tr data-field="rollout">.*<pre>40<\/pre>.*<pre>5<\/pre>/s);
    expect(readFlags().find((f) => f.key === 'pricing')).toMatchObject({ version: 2, rollout: 40 });
  });

  it('shows the history and the guarded rollout timeline of a store that keeps them', async () => {
    const storage = createMemoryStorage();
    await storage.writeFlag({ key: 'new-search', environment: 'production', enabled: true, rollout: 5 }, { updatedBy: 'ana' });
    await storage.writeFlag(
      {
        key: 'new-search',
        environment: 'production',
        enabled: true,
        rollout: 25,
        metadata: { [ROLLOUT_DECISION_KEY]: 'advance 5% → 25%: guardrails hold' },
      },
      { updatedBy: ROLLOUT_WRITER },
    );
    await storage.writeFlag(
      {
        key: 'new-search',
        environment: 'production',
        enabled: true,
        rollout: 0,
        metadata: { [ROLLOUT_DECISION_KEY]: 'rollback 25% → 0%: error rate worse', [ROLLOUT_STATE_KEY]: 'rolled_back' },
      },
      { updatedBy: ROLLOUT_WRITER },
    );
    running = await startStudio({
      store: { label: 'memory', acquire: async () => ({ storage, release: async () => {} }) },
      environment: 'production',
    });
    const page = (await call(`${running.url}flags/new-search`)).body;
    expect(page).toContain('id="history"');
    expect(page).toContain('rollout 5 → 25');
    expect(page).toContain('id="rollout-timeline"');
    expect(page).toContain('rollback 25% → 0%: error rate worse');
    expect(page).toContain('tiqology rollout resume new-search');
  });

  it('never shows a database URL or key in an error page', async () => {
    const failing: StorageAdapter = {
      ...createMemoryStorage(),
      listFlags: async () => {
        throw new Error('connect failed for postgres://app:s3cret-pass@db.internal:5432/app with key sk-service-role-1234');
      },
    };
    running = await startStudio({
      store: { label: 'postgres db.internal:5432/app', acquire: async () => ({ storage: failing, release: async () => {} }) },
      environment: 'production',
      secrets: ['sk-service-role-1234'],
    });
    const page = await call(`${running.url}flags`);
    expect(page.status).toBe(500);
    expect(page.body).not.toContain('s3cret-pass');
    expect(page.body).not.toContain('sk-service-role-1234');
    expect(page.body).toContain('postgres db.internal:5432/app');
  });
});

describe('studio: experiments and forecast', () => {
  it('shows the numbers of tiqology results --json, with the event and window pickers', async () => {
    const url = await start();
    const query = '?env=production&event=purchase&since=2026-01-01';
    const json = JSON.parse((await call(`${url}experiments/pricing/results.json${query}`)).body);
    const cli = await runCli(['results', 'pricing', '--event', 'purchase', '--since', '2026-01-01', '--json', '--file', 'flags.json'], {
      cwd,
    });
    expect(cli.code).toBe(0);
    expect(json).toEqual(JSON.parse(cli.stdout));
    const page = (await call(`${url}experiments/pricing${query}`)).body;
    for (const v of json.variants as { variant: string; conversionRate: number; exposures: number }[]) {
      expect(page).toContain(`data-field="conversionRate" data-raw="${v.conversionRate}"`);
      expect(page).toContain(`data-field="exposures" data-raw="${v.exposures}"`);
    }
    expect(page).toContain(`data-verdict="${json.verdict}"`);
    expect(page).toContain(escapeHtml(json.summary));
    expect(page).toContain('<svg');
    expect((await call(`${url}experiments/nope/results.json?env=production`)).status).toBe(404);
    expect((await call(`${url}experiments/nope?env=production`)).body).toContain('nope');
    const bad = await call(`${url}experiments/pricing?since=yesterday`);
    expect(bad.body).toContain('since must be an ISO 8601 date');
    expect((await call(`${url}experiments?env=production`)).body).toContain('href="/experiments/pricing?env=production"');
  });

  it('runs the metric analysis of the metrics asked for, as results --metric does', async () => {
    const url = await start();
    const metrics = encodeURIComponent('conversion:binomial:purchase\nrevenue:mean:purchase');
    const json = JSON.parse((await call(`${url}experiments/pricing/results.json?metrics=${metrics}&sequential=on`)).body);
    const cli = await runCli(
      [
        'results',
        'pricing',
        '--metric',
        'conversion:binomial:purchase',
        '--metric',
        'revenue:mean:purchase',
        '--sequential',
        '--json',
        '--file',
        'flags.json',
      ],
      { cwd },
    );
    expect(json).toEqual(JSON.parse(cli.stdout));
    expect(json.analysis.metrics.map((m: { key: string }) => m.key)).toEqual(['conversion', 'revenue']);
    const page = (await call(`${url}experiments/pricing?metrics=${metrics}&sequential=on`)).body;
    expect(page).toContain(`data-decision="${json.analysis.decision}"`);
    expect(page).toContain(escapeHtml(json.analysis.summary));
    expect((await call(`${url}experiments/pricing?metrics=oops`)).body).toMatch(/class="notice bad"/);
    expect((await call(`${url}experiments/pricing/results.json?metrics=oops`)).status).toBe(400);
  });

  it('forecasts a posted CSV: chart with bands, decision and reasons, 7-day cost', async () => {
    const url = await start();
    const key = formKeyOf((await call(`${url}forecast`)).body);
    const start0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 24 * 21 }, (_, i) => {
      const load = 1000 + 400 * Math.sin((2 * Math.PI * i) / 24) + ((i * 37) % 50);
      return `${new Date(start0 + i * 3_600_000).toISOString()},${load.toFixed(1)},${(load / 1000).toFixed(3)}`;
    });
    const csv = `timestamp,requests,cost_usd\n${rows.join('\n')}\n`;
    const boundary = '----studio test'; // a space: the header must quote it
    const part = (name: string, value: string, file = false) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="load.csv"\r\nContent-Type: text/csv' : ''}\r\n\r\n${value}\r\n`;
    const body = `${part('_key', key)}${part('csv_file', csv, true)}${part('horizon', '24h')}${part('capacity', '1500')}${part('cost_column', 'cost_usd')}--${boundary}--\r\n`;
    const answer = await call(`${url}forecast`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('id="forecast-chart"');
    expect(answer.body).toContain('class="band"');
    expect(answer.body).toMatch(/id="decision" data-decision="(SCALE_UP|SCALE_DOWN|KEEP|HOLD|[A-Z_]+)"/);
    expect(answer.body).toMatch(/id="cost" data-total="[\d.]+"/);
    const outside = await post(`${url}forecast`, { _key: key, csv_path: '../../etc/passwd' });
    expect(outside.status).toBe(422);
    expect(outside.body).toContain('must stay under');
    const none = await post(`${url}forecast`, { _key: key });
    expect(none.body).toContain('give a CSV');
  });
});

describe('studio: requests it refuses or answers plainly', () => {
  it('answers 404, 405, HEAD and oversized bodies without touching the store', async () => {
    const url = await start();
    expect((await call(`${url}nowhere`)).status).toBe(404);
    const wrongMethod = await call(`${url}flags/checkout/toggle`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    const head = await call(`${url}flags`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await call(url)).headers.location).toBe('/flags');
    expect((await call(`${url}assets/studio.js`)).headers['content-type']).toMatch(/javascript/);
    const big = await call(`${url}flags/checkout/toggle`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `x=${'a'.repeat(1_100_000)}`,
    });
    expect(big.status).toBe(413);
  });

  it('the token redirect stays on the studio whatever the path', async () => {
    const memory = { label: 'memory', acquire: async () => ({ storage: createMemoryStorage(), release: async () => {} }) };
    const token = 'another-token-of-24-chars';
    running = await startStudio({ store: memory, environment: 'production', host: '0.0.0.0', token });
    const base = `http://127.0.0.1:${new URL(running.url).port}`;
    const answer = await call(`${base}/.//evil.example/flags?token=${token}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toMatch(/^\/[^/\\]/);
  });

  it('usage errors of the command: arguments, port, host, token length, store', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['studio', 'extra', '--file', 'flags.json'], {}, /studio: takes no arguments/],
      [['studio', '--port', '70000', '--file', 'flags.json'], {}, /--port must be a whole number/],
      [['studio', '--host', ' ', '--file', 'flags.json'], {}, /--host must name an address/],
      [['studio', '--file', 'flags.json'], { TIQOLOGY_STUDIO_TOKEN: 'short' }, /TIQOLOGY_STUDIO_TOKEN must be 16 characters/],
      [['studio', '--prometheus-url', 'ftp://x', '--file', 'flags.json'], {}, /--prometheus-url must be an http/],
      [['studio'], {}, /no store/],
      [['studio', '--file', 'missing.json'], {}, /no such file/],
    ];
    for (const [args, env, message] of cases) {
      const run = await runCli(args, { cwd, env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('forecasts a PromQL query from the Prometheus given at startup', async () => {
    const { createServer } = await import('node:http');
    const queries: string[] = [];
    const prometheus = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      queries.push(`${u.pathname} ${u.searchParams.get('query')} ${u.searchParams.get('step')} ${req.headers.authorization}`);
      const end = Number(u.searchParams.get('end'));
      const values = Array.from({ length: 24 * 14 }, (_, i) => [
        end - (24 * 14 - i) * 3600,
        String(500 + 200 * Math.sin((2 * Math.PI * i) / 24)),
      ]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }));
    });
    await new Promise<void>((r) => prometheus.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (prometheus.address() as { port: number }).port;
      const url = await start({ 'prometheus-url': `http://user:prom-secret@127.0.0.1:${port}` });
      const form = (await call(`${url}forecast`)).body;
      expect(form).toContain('PromQL');
      const answer = await post(`${url}forecast`, {
        _key: formKeyOf(form),
        promql: 'sum(rate(http_server_request_duration_seconds_count[5m]))',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('id="forecast-chart"');
      expect(answer.body).not.toContain('prom-secret');
      expect(queries[0]).toBe(
        `/api/v1/query_range sum(rate(http_server_request_duration_seconds_count[5m])) 3600 Basic ${Buffer.from('user:prom-secret').toString('base64')}`,
      );
    } finally {
      await new Promise<void>((r) => prometheus.close(() => r()));
    }
  });
});

describe('studio: guarded-rollout plans', () => {
  it('shows the plan file of a flag from --plans, the current step marked, without its Prometheus URL', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cwd, 'plans'));
    writeFileSync(
      join(cwd, 'plans', 'checkout.json'),
      JSON.stringify({
        steps: [1, 10, 50, 100],
        minStep: '5m',
        guardrails: [{ metric: 'error_rate', tolerance: 0.1 }],
        prometheus: { url: 'http://prom:secret-word@prometheus:9090' },
      }),
    );
    writeFileSync(join(cwd, 'plans', 'search.json'), '{ not json');
    const url = await start({ plans: 'plans' });
    const page = (await call(`${url}flags/checkout?env=production`)).body;
    expect(page).toContain('<li aria-current="step">10% (now)</li>');
    expect(page).toContain('At least 5 min');
    expect(page).toContain('Guardrail: error_rate, tolerance 10%');
    expect(page).not.toContain('secret-word');
    expect((await call(`${url}flags/search?env=production`)).body).toContain('The plan file search.json cannot be used');
    expect((await call(`${url}flags/pricing?env=production`)).body).not.toContain('Rollout plan');
  });
});

describe('studio: access helpers', () => {
  it('counts 127/8, ::1 and localhost as loopback, nothing else', async () => {
    const { isLoopback } = await import('./access.js');
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'localhost.evil.example', '127.0.0.1.evil.example', ''])
      expect(isLoopback(host), host).toBe(false);
  });

  it('answers on localhost and [::1] Host names, and refuses a multipart form without a boundary or unfinished', async () => {
    const url = await start();
    const port = new URL(url).port;
    expect((await call(`${url}flags`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await call(`${url}flags`, { headers: { host: `[::1]:${port}` } })).status).toBe(200);
    const noBoundary = await call(`${url}forecast`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(noBoundary.status).toBe(400);
    const unfinished = await call(`${url}forecast`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
      body: '--abc\r\nContent-Disposition: form-data; name="csv_text"\r\n\r\nno closing delimiter',
    });
    expect(unfinished.status).toBe(400);
    expect(unfinished.body).toContain('cannot read');
  });
});
