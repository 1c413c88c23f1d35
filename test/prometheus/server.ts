/**
 * A real Prometheus server for the suites that need one: started on a free port with a config the
 * suite writes, ready when its `/-/ready` answers, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** A running Prometheus. */
export interface PrometheusServer {
  /** Its base URL, e.g. `http://127.0.0.1:9090`. */
  api: string;
  /** Stops it and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Writes `config` to `dir/prometheus.yml` and starts Prometheus on it (data under `dir/data`).
 * Rejects with Prometheus's stderr when it is not ready within 30 s or exits first.
 */
export async function startPrometheus(dir: string, config: string): Promise<PrometheusServer> {
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${api}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { api, stop };
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
