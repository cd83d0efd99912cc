import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  bytes: number;
  body: Buffer;
  ms: number;
  /** Set when the connection failed or was dropped instead of answered. */
  error?: string;
}

export interface HttpCall {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

/** Keep-alive HTTP calls with a deadline, like ExternalDNS's Go client (which gives a call 15 s). */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly baseUrl: string) {}

  call(call: HttpCall, deadlineMs = 15_000): Promise<HttpAnswer> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(
        this.baseUrl + call.path,
        { method: call.method, headers: call.headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            // Keep at most 1 MiB: enough to read any answer the checks look into.
            if (bytes <= 1024 * 1024) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              body: Buffer.concat(chunks),
              ms: performance.now() - started,
            }),
          );
          res.on('error', (error) => fail(error.message));
        },
      );
      const fail = (error: string) =>
        resolve({ status: 0, bytes: 0, body: Buffer.alloc(0), ms: performance.now() - started, error });
      req.setTimeout(deadlineMs, () => {
        req.destroy(new Error(`no answer in ${deadlineMs / 1000} s`));
      });
      req.on('error', (error) => fail(error.message));
      req.end(call.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `tasks` with at most `concurrency` at a time. */
export async function runConcurrently<T>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(workers);
}
