/**
 * `tiqology studio`: serves the studio (flags, experiments, forecast) on 127.0.0.1 against the
 * store the options name, until Ctrl-C. Bound to another address, it requires an access token
 * (`TIQOLOGY_STUDIO_TOKEN`, or a random one it prints) and says so.
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { CliError, type CliIo, EXIT, usageError } from '../io.js';
import { environmentOf, inStore, type OpenedStore, selectStore } from '../stores.js';
import { isLoopback, newSecret } from '../studio/access.js';
import { type RunningStudio, StudioConfigError, type StudioStore, startStudio } from '../studio/server.js';

/** What {@link serveStudio} started: the studio, its address to open (with the token when there is one), and how to stop both. */
export interface ServedStudio {
  studio: RunningStudio;
  /** The address to open: with `?token=` when a token is required. */
  openUrl: string;
  /** Stops the server and closes the store. */
  stop(): Promise<void>;
}

function portOf(value: unknown): number {
  if (value === undefined) return 0;
  const text = String(value);
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65_535) throw usageError(`--port must be a whole number from 0 to 65535, got "${text}"`);
  return n;
}

/** A studio store over an opened store; a flags file is opened afresh for each request, one request at a time. */
async function studioStore(values: Record<string, unknown>, io: CliIo): Promise<{ store: StudioStore; close(): Promise<void> }> {
  const { source, value } = selectStore(values, io);
  const opened: OpenedStore = await source.open(value, io, false);
  if (source.option !== 'file') {
    return {
      store: { label: opened.label, acquire: async () => ({ storage: opened.storage, release: async () => {} }) },
      close: () => opened.close(),
    };
  }
  // Another process (the CLI, an editor) may change the file between requests: read it each time.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    store: {
      label: opened.label,
      acquire: async () => {
        let release!: () => void;
        const turn = new Promise<void>((r) => (release = r));
        const previous = queue;
        queue = previous.then(() => turn);
        await previous;
        try {
          const fresh = await source.open(value, io, false);
          return { storage: fresh.storage, release: async () => release() };
        } catch (error) {
          release();
          throw error;
        }
      },
    },
    close: async () => {},
  };
}

/** Starts the studio the command line describes (the command's work, apart from waiting for Ctrl-C). */
export async function serveStudio(values: CommandContext['values'], io: CliIo): Promise<ServedStudio> {
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  if (host.trim() === '') throw usageError('--host must name an address');
  const port = portOf(values.port);
  const environment = environmentOf(values, io);
  const prometheusUrl = typeof values['prometheus-url'] === 'string' ? values['prometheus-url'] : undefined;
  if (prometheusUrl !== undefined && !/^https?:\/\//.test(prometheusUrl))
    throw usageError('--prometheus-url must be an http:// or https:// URL');
  let token = io.env.TIQOLOGY_STUDIO_TOKEN || undefined;
  if (token !== undefined && token.length < 16) throw usageError('TIQOLOGY_STUDIO_TOKEN must be 16 characters or more');
  if (token === undefined && !isLoopback(host)) token = newSecret();
  const { store, close } = await studioStore(values, io);
  const secrets = [io.env.SUPABASE_SERVICE_ROLE_KEY, token].filter((s): s is string => typeof s === 'string');
  for (const url of [values['database-url'], io.env.DATABASE_URL, prometheusUrl]) {
    try {
      if (typeof url === 'string' && new URL(url).password) secrets.push(decodeURIComponent(new URL(url).password));
    } catch {
      // Not a URL.
    }
  }
  let studio: RunningStudio;
  try {
    studio = await startStudio({
      store,
      environment,
      host,
      port,
      ...(token === undefined ? {} : { token }),
      updatedBy: io.env.USER ? `${io.env.USER} via tiqology studio` : 'tiqology studio',
      secrets,
      ...(typeof values.plans === 'string' ? { plansDir: resolve(io.cwd, values.plans) } : {}),
      forecast: { cwd: io.cwd, ...(prometheusUrl === undefined ? {} : { prometheusUrl }) },
    });
  } catch (error) {
    await close().catch(() => {});
    if (error instanceof StudioConfigError) throw usageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`studio: cannot serve on ${host}:${port}: ${code ?? (error as Error).message}`, EXIT.FAILURE, { cause: error });
  }
  const openUrl = token === undefined ? studio.url : `${studio.url}?token=${encodeURIComponent(token)}`;
  return {
    studio,
    openUrl,
    stop: async () => {
      await studio.close();
      await close().catch(() => {});
    },
  };
}

/** `tiqology studio`: see the help text in the command table. */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw usageError(`studio: takes no arguments, got ${positionals.map((p) => `"${p}"`).join(' ')}`);
  let served: ServedStudio;
  try {
    served = await serveStudio(values, io);
  } catch (error) {
    throw error instanceof CliError ? error : inStore(error, 'studio');
  }
  const { studio, openUrl } = served;
  // Listen for Ctrl-C before saying so: a script that reads the address may signal at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const loopback = isLoopback(new URL(studio.url).hostname);
  if (out.json) out.data({ url: studio.url, open: openUrl, loopback, token: !loopback || io.env.TIQOLOGY_STUDIO_TOKEN !== undefined });
  else {
    out.line(`tiqology studio on ${studio.url} [${served.studio.url === openUrl ? 'no token' : 'token required'}]`);
    if (loopback) out.line('Reachable from this machine only.');
    else out.line(`Bound beyond loopback: every request needs the access token. Open ${openUrl}`);
    if (loopback && openUrl !== studio.url) out.line(`Open ${openUrl}`);
    out.line('Ctrl-C stops it.');
  }
  await stopped;
  await served.stop();
  return EXIT.OK;
}
