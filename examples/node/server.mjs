// A small HTTP server on the SDK, as deployed to a container or AWS Lambda: bundle it into one
// file with esbuild and run that file with no node_modules next to it.
//
//   npm run build
//   npx esbuild examples/node/server.mjs --bundle --platform=node --outfile=/tmp/server.cjs
//   PORT=8080 node /tmp/server.cjs
//
// (or `node examples/node/server.mjs` unbundled). Routes:
//   GET  /variant?user=<id>   the user's pricing variant (records the exposure)
//   POST /purchase?user=<id>  records a purchase at the price of the user's variant
//   GET  /results             flags.results('pricing-test', { event: 'purchase' })
//   GET  /metrics             Prometheus exposition: requests, flag cache, process metrics
// Events stay in the process's embedded memory store; configure the PostgreSQL store to keep them.
import { createServer } from 'node:http';
import { flags } from '@tiqology/elite';
import { telemetry } from '@tiqology/elite/telemetry';

const PRICING = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34, value: { priceUsd: 20 } },
    { key: 'variant-a', weight: 33, value: { priceUsd: 25 } },
    { key: 'variant-b', weight: 33, value: { priceUsd: 30 } },
  ],
};
flags.configure({ bootstrap: [PRICING] });
const metrics = telemetry.metricsHandler();
const priceOf = (variant) => PRICING.variants.find((v) => v.key === variant)?.value.priceUsd ?? 0;

const json = (res, status, body) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

async function route(req, res, url) {
  const user = url.searchParams.get('user');
  if (req.method === 'GET' && url.pathname === '/metrics') return metrics(req, res);
  if (req.method === 'GET' && url.pathname === '/variant' && user) {
    return json(res, 200, { user, variant: await flags.getVariant(PRICING.key, user, 'control') });
  }
  if (req.method === 'POST' && url.pathname === '/purchase' && user) {
    const variant = await flags.getVariant(PRICING.key, user, 'control');
    flags.track('purchase', user, { value: priceOf(variant) });
    await flags.flush();
    return json(res, 200, { user, variant });
  }
  if (req.method === 'GET' && url.pathname === '/results') return json(res, 200, await flags.results(PRICING.key, { event: 'purchase' }));
  return json(res, 404, { error: 'not found' });
}

const server = createServer(async (req, res) => {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    await route(req, res, url);
  } catch (error) {
    json(res, 500, { error: error instanceof Error ? error.message : String(error) });
  } finally {
    // Route templates as labels, never the URL with its query.
    telemetry.recordRequest({ method: req.method ?? 'GET', route: url.pathname, status: res.statusCode, durationMs: performance.now() - started });
  }
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  // The port, for whoever started the server with PORT=0 (the test does).
  console.log(JSON.stringify({ listening: server.address().port }));
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => void flags.close().then(() => process.exit(0))));
