import { request } from 'node:http';

export interface RawResponse {
  status: number;
  /** Header names and values exactly as they came off the socket. */
  rawHeaders: string[];
  body: Buffer;
}

/** One HTTP request with node:http, to see header bytes exactly as a Go client would. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function rawHeader(response: RawResponse, name: string): string | undefined {
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) return response.rawHeaders[i + 1];
  }
  return undefined;
}
