import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { runCommand } from './run-command.js';

export interface TlsProxyOptions {
  /** Plain-http origin to forward to, e.g. PowerDNS's `http://127.0.0.1:8081`. */
  target: string;
  /** PEM server certificate and key. */
  cert: string | Buffer;
  key: string | Buffer;
  /** With `ca`: ask for a client certificate signed by it and refuse connections without one. */
  requireClientCert?: boolean;
  /** PEM CA that signs accepted client certificates. */
  ca?: string | Buffer;
}

/**
 * A TLS-terminating reverse proxy on 127.0.0.1 (a free port) in front of a
 * plain-http API: what an ingress or a sidecar does for PowerDNS, whose own
 * webserver has no TLS. Requests are forwarded as they come (method, path,
 * headers, body) and answers streamed back. It counts what it forwarded and
 * remembers the subject of each client certificate it saw.
 */
export class TlsProxy {
  /** Requests forwarded to the target. */
  forwarded = 0;
  /** Common names of the client certificates presented on authorised connections. */
  readonly clientSubjects: string[] = [];
  /** TLS handshake failures (e.g. a client that does not trust the certificate, or sent none). */
  readonly tlsErrors: string[] = [];
  private readonly sockets = new Set<Socket>();

  /** The port it listens on (127.0.0.1). */
  port = 0;

  private constructor(private readonly server: Server) {}

  /** `https://127.0.0.1:PORT`, as DNSGATE_POWERDNS_URL takes it. */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  static async start(options: TlsProxyOptions): Promise<TlsProxy> {
    const target = new URL(options.target);
    const mutual = options.requireClientCert === true;
    const server = createServer({
      cert: options.cert,
      key: options.key,
      ...(options.ca ? { ca: options.ca } : {}),
      requestCert: mutual,
      rejectUnauthorized: mutual,
    });
    const proxy = new TlsProxy(server);
    server.on('request', (req, res) => {
      const socket = req.socket as TLSSocket;
      const subject = socket.getPeerCertificate?.()?.subject?.CN;
      if (subject) proxy.clientSubjects.push(String(subject));
      proxy.forwarded++;
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`tls-proxy: upstream error: ${error.message}`);
      });
      req.pipe(upstream);
    });
    server.on('tlsClientError', (error) => proxy.tlsErrors.push(error.message));
    server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('tls-proxy: no port assigned');
    proxy.port = address.port;
    return proxy;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** PEM files of a small test PKI, made by the real `openssl` CLI. */
export interface TestPki {
  dir: string;
  caCertFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  otherCaCertFile: string;
  remove(): Promise<void>;
}

async function openssl(args: string[]): Promise<void> {
  const result = await runCommand('openssl', args);
  if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/**
 * A CA, a server certificate for 127.0.0.1 and localhost (subjectAltName)
 * signed by it, a client certificate signed by it, and an unrelated CA. EC
 * P-256 keys, valid one day, in a fresh temp directory.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'dnsgate-pki-'));
  const file = (name: string): string => join(dir, name);
  const newKey = (name: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name)]);
  const selfSignedCa = async (name: string, cn: string): Promise<void> => {
    await newKey(`${name}.key`);
    await openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      file(`${name}.key`),
      '-sha256',
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      file(`${name}.crt`),
    ]);
  };
  const leaf = async (name: string, cn: string, extensions: string): Promise<void> => {
    await newKey(`${name}.key`);
    await openssl(['req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`)]);
    await writeFile(file(`${name}.ext`), extensions);
    await openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    ]);
  };
  await selfSignedCa('ca', 'dnsgate test CA');
  await selfSignedCa('other-ca', 'dnsgate unrelated CA');
  await leaf(
    'server',
    '127.0.0.1',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await leaf(
    'client',
    'dnsgate-client',
    ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', ''].join('\n'),
  );
  return {
    dir,
    caCertFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    otherCaCertFile: file('other-ca.crt'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
