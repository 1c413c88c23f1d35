// Run by test/install/install.test.ts inside a new project that installed the packed SDK and
// React 18 from the registry: `react` here is that project's React 18. Two processes, as in an app:
//   node app.mjs render <userId>             the server: a snapshot from the real flags client, the
//                                            hooks rendered by renderToString and renderToPipeableStream
//   node app.mjs hydrate <happy-dom> <file>  the browser: the server's markup in a happy-dom document,
//                                            hydrated (hydrateRoot) from the snapshot the server sent;
//                                            the exposure goes through the real tracker to the real
//                                            tracking handler on 127.0.0.1
// Each prints what it saw as JSON.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { createFlags } from '@tiqology/elite';
import { FlagsProvider, useFlagValue, useVariant } from '@tiqology/elite/react';
import { createSnapshot, createTrackingHandler } from '@tiqology/elite/react/server';
import { createElement, version } from 'react';

const FLAG = 'pricing-test';
const flags = createFlags({
  bootstrap: [
    {
      key: FLAG,
      environment: 'production',
      enabled: true,
      variants: [
        { key: 'control', weight: 50, value: { priceUsd: 20 } },
        { key: 'variant-a', weight: 50, value: { priceUsd: 25 } },
      ],
    },
  ],
  trackExposures: false,
});

function Offer() {
  const variant = useVariant(FLAG, 'control');
  const offer = useFlagValue(FLAG, { priceUsd: 0 });
  return createElement('section', { 'data-variant': variant }, createElement('b', null, `$${offer.priceUsd} / month`));
}
const app = (snapshot, endpoint) => createElement(FlagsProvider, { snapshot, endpoint, flushMs: 10 }, createElement(Offer));

const [mode, ...args] = process.argv.slice(2);
if (mode === 'render') {
  const { renderToPipeableStream, renderToString } = await import('react-dom/server');
  const [userId] = args;
  const snapshot = await createSnapshot(flags, userId, { flags: [FLAG] });
  const fromString = renderToString(app(snapshot, '/api/elite'));
  const fromStream = await new Promise((resolve, reject) => {
    let html = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        html += chunk;
        done();
      },
      final(done) {
        resolve(html);
        done();
      },
    });
    const stream = renderToPipeableStream(app(snapshot, '/api/elite'), { onAllReady: () => stream.pipe(sink), onError: reject });
  });
  console.log(JSON.stringify({ react: version, userId, expected: flags.getVariantSync(FLAG, userId), snapshot, fromString, fromStream }));
} else if (mode === 'hydrate') {
  const { hydrateRoot } = await import('react-dom/client');
  const [happyDom, file] = args;
  const { Window } = await import(happyDom);
  const { userId, snapshot, fromStream } = JSON.parse(readFileSync(file, 'utf8'));
  // The tracking route, as the app serves it.
  const handler = createTrackingHandler({ flags, user: () => userId });
  const batches = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    batches.push(JSON.parse(body));
    const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}/api/elite`;

  const window = new Window({ url: 'http://127.0.0.1/' });
  Object.assign(globalThis, { window, document: window.document });
  const complaints = [];
  const consoleError = console.error;
  console.error = (...parts) => complaints.push(parts.map(String).join(' '));
  const container = window.document.createElement('div');
  container.innerHTML = fromStream;
  window.document.body.appendChild(container);
  hydrateRoot(container, app(snapshot, endpoint), { onRecoverableError: (error) => complaints.push(`recoverable: ${error}`) });
  const deadline = Date.now() + 10_000;
  while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Time for a second batch, were one to be sent.
  await new Promise((r) => setTimeout(r, 300));
  console.error = consoleError;
  const results = await flags.results(FLAG);
  console.log(
    JSON.stringify({
      react: version,
      hydrated: container.innerHTML,
      complaints,
      batches,
      exposures: Object.fromEntries(results.variants.map((v) => [v.variant, v.exposures])),
      stats: handler.stats(),
    }),
  );
  server.close();
  await window.happyDOM.close();
} else {
  throw new Error(`usage: node app.mjs render <userId> | hydrate <happy-dom URL> <render.json>`);
}
await flags.close();
