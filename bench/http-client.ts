/**
 * The HTTP load generator, run as a child process of fhir-bench.ts so that client work (request
 * writing, response reading) does not share the server's event loop. Keep-alive connections, one per
 * concurrent client, over loopback, with node:http. Instructions and results travel over the IPC channel.
 */
import http from 'node:http';
import { runClosedLoop, type RunStats } from './measure.ts';

export interface HttpRunRequest {
  type: 'run';
  port: number;
  requests: { method: string; path: string; body?: string }[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Client w uses only requests w, w+C, w+2C…: updates never race each other for one resource. */
  partition: boolean;
  /** The bearer token the server requires. */
  authorization: string;
}

export type HttpRunReply = { type: 'result'; stats: RunStats } | { type: 'error'; message: string };

function send(agent: http.Agent, port: number, method: string, path: string, body: string | undefined, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent, host: '127.0.0.1', port, method, path,
      headers: {
        accept: 'application/fhir+json',
        authorization,
        ...(body !== undefined ? { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) } : {}),
      },
    }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(Math.random() * 10));
  return s;
}

async function run(msg: HttpRunRequest): Promise<RunStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: msg.concurrency, maxFreeSockets: msg.concurrency });
  const n = msg.requests.length;
  let counter = 0;
  const perWorker = Math.max(1, Math.floor(n / msg.concurrency));
  try {
    return await runClosedLoop(msg, async (w, seq) => {
      const r = msg.partition ? msg.requests[(w + msg.concurrency * (seq % perWorker)) % n] : msg.requests[counter++ % n];
      const body = r.body?.includes('{{rand}}') ? r.body.replace('{{rand}}', randomDigits(7)) : r.body;
      const status = await send(agent, msg.port, r.method, r.path, body, msg.authorization);
      if (status >= 200 && status < 300) return true;
      throw new Error(`HTTP ${status} for ${r.method} ${r.path.split('?')[0]}`);
    });
  } finally {
    agent.destroy();
  }
}

process.on('message', (msg: HttpRunRequest) => {
  if (msg.type !== 'run') return;
  run(msg).then(
    (stats) => process.send?.({ type: 'result', stats } satisfies HttpRunReply),
    (error: unknown) => process.send?.({ type: 'error', message: String((error as Error).stack ?? error) } satisfies HttpRunReply),
  );
});
process.on('disconnect', () => process.exit(0));
