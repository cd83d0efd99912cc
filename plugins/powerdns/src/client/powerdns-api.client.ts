import { BackendError, BackendTimeoutError, BackendUnavailableError, type PluginLogger } from '@dnsgate/plugin-sdk';
import { isAscii } from 'node:buffer';
import { request, type Dispatcher } from 'undici';
import type { PowerDnsMetrics } from '../powerdns.metrics.js';
import { Deadline } from '@dnsgate/plugin-sdk';
import { PowerDnsAuthError, PowerDnsNotFoundError, PowerDnsUnprocessableError } from './powerdns-api.errors.js';
import { PatchBodyWriter } from './patch-body.writer.js';
import { describeTlsFailure, isTlsError } from './powerdns-tls.js';
import type { PdnsRrsetChange, PdnsServerInfo, PdnsZone, PdnsZoneSummary } from './powerdns-api.types.js';

export interface PowerDnsApiClientConfig {
  /** The webserver's base URL; a path prefix is kept. */
  baseUrl: string;
  apiKey: string;
  serverId: string;
  /** Budget of one call, retries included. */
  timeoutMs: number;
  /** An undici dispatcher carrying the TLS settings; the global one when absent. */
  dispatcher?: Dispatcher;
  instance: string;
  /** Where the options were read from (`DNSGATE_POWERDNS_`, or an instance's), to name variables in messages. */
  optionPrefix?: string;
  logger: PluginLogger;
  metrics: PowerDnsMetrics;
  /** Pause before retry number n (0-based); for tests. */
  backoffMs?: (attempt: number) => number;
  /** Whether a client certificate is configured (for TLS failure messages). */
  hasClientCert?: boolean;
  /** The TLS error behind a socket error the HTTP client reports without it (see TlsTransport). */
  tlsErrorBehind?: (error: unknown) => Error | undefined;
}

type Method = 'GET' | 'PATCH' | 'POST';

interface RawResponse {
  statusCode: number;
  contentType: string;
  text: string;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const MIN_ATTEMPT_MS = 50;
const MAX_ERROR_TEXT = 300;
const AUTH_LOG_INTERVAL_MS = 60_000;

const defaultBackoff = (attempt: number): number => Math.min(100 * 2 ** attempt, 1000) * (0.75 + Math.random() * 0.5);

/**
 * The PowerDNS HTTP API v1, as much as dnsgate needs. Every call has a time
 * budget enforced with an AbortSignal; GETs are retried with backoff on
 * transient failures while the budget lasts, a PATCH or POST never is.
 * Failures come back as the SDK's error types, so the gateway answers 5xx.
 * The API key goes in one header and nowhere else: not in errors, not in logs.
 */
export class PowerDnsApiClient {
  private readonly base: URL;
  private readonly serverPath: string;
  /** The URL's path prefix without a trailing slash ('' for none). */
  private readonly prefix: string;
  private readonly backoffMs: (attempt: number) => number;
  private lastAuthLogAt = -Infinity;
  private readonly patchBody = new PatchBodyWriter();
  private patchBodyInUse = false;

  constructor(private readonly config: PowerDnsApiClientConfig) {
    this.base = new URL(config.baseUrl);
    this.base.username = '';
    this.base.password = '';
    this.prefix = this.base.pathname.replace(/\/+$/, '');
    this.serverPath = `/api/v1/servers/${encodeURIComponent(config.serverId)}`;
    this.backoffMs = config.backoffMs ?? defaultBackoff;
  }

  /** Where the options were read from, to name a variable in a message. */
  private get optionPrefix(): string {
    return this.config.optionPrefix ?? 'DNSGATE_POWERDNS_';
  }

  /** Where the client talks to, for messages: origin and path prefix, never credentials. */
  get endpoint(): string {
    return `${this.base.origin}${this.prefix}`;
  }

  getServer(deadline?: Deadline): Promise<PdnsServerInfo> {
    return this.json<PdnsServerInfo>('GET', this.serverPath, undefined, deadline);
  }

  /**
   * The zones of the server, with their ids and `serial`s, without the
   * DNSSEC status and `edited_serial` (`dnssec=false`, which PowerDNS
   * documents as "a lot faster": it leaves out a key and metadata lookup per
   * zone; a server older than the parameter ignores it). Nothing here needs
   * them: the records cache's zone version is the stored `serial` (see
   * versionOf in powerdns-zone-versions.ts).
   * Measured on the 2-core machine (load 4–5; raw HTTP against PowerDNS
   * 4.7.3, 150 rounds alternating with the full listing): 2.45–2.50 →
   * 2.27–2.40 ms median with one zone (two runs), 3.20 → 2.97 ms with 100
   * zones. Most of the listing's time is PowerDNS's own per-connection cost
   * (it closes every connection: `GET /servers/localhost` took 2.8 ms).
   */
  listZones(deadline?: Deadline): Promise<PdnsZoneSummary[]> {
    return this.json<PdnsZoneSummary[]>('GET', `${this.serverPath}/zones?dnssec=false`, undefined, deadline);
  }

  getZone(zoneId: string, deadline?: Deadline): Promise<PdnsZone> {
    return this.json<PdnsZone>('GET', this.zonePath(zoneId), undefined, deadline);
  }

  /** The zone's settings and serials without its records (`rrsets=false`, PowerDNS 4.3 and later). */
  getZoneSettings(zoneId: string, deadline?: Deadline): Promise<PdnsZone> {
    return this.json<PdnsZone>('GET', `${this.zonePath(zoneId)}?rrsets=false`, undefined, deadline);
  }

  /** The zone as text, one record a line (see parseZoneExport); disabled records are not in it. */
  async exportZone(zoneId: string, deadline?: Deadline): Promise<string> {
    // With `Accept: application/json` PowerDNS wraps the text in `{"zone": …}`.
    return (await this.call('GET', `${this.zonePath(zoneId)}/export`, undefined, deadline, 'text/plain')).text;
  }

  async patchZone(zoneId: string, rrsets: PdnsRrsetChange[], deadline?: Deadline): Promise<void> {
    await this.patchZoneWith(zoneId, (writer) => writer.rrsetObjects(rrsets), deadline);
  }

  /** A PATCH whose body `fill` writes into a PatchBodyWriter (see writeRrsetChanges). */
  async patchZoneWith(zoneId: string, fill: (writer: PatchBodyWriter) => void, deadline?: Deadline): Promise<void> {
    // The kept writer holds one body at a time; a PATCH made while another is on the way gets a writer of its own.
    const shared = !this.patchBodyInUse;
    if (shared) this.patchBodyInUse = true;
    try {
      const writer = shared ? this.patchBody : new PatchBodyWriter();
      writer.begin();
      fill(writer);
      await this.call('PATCH', this.zonePath(zoneId), writer.end(), deadline);
    } finally {
      if (shared) this.patchBodyInUse = false;
    }
  }

  async createZone(name: string, nameservers: string[], deadline?: Deadline): Promise<void> {
    const body = JSON.stringify({ name, kind: 'Native', nameservers });
    await this.call('POST', `${this.serverPath}/zones`, body, deadline);
  }

  private zonePath(zoneId: string): string {
    return `${this.serverPath}/zones/${encodeURIComponent(zoneId)}`;
  }

  private async json<T>(method: Method, path: string, body: string | undefined, deadline?: Deadline): Promise<T> {
    const response = await this.call(method, path, body, deadline);
    try {
      return JSON.parse(response.text) as T;
    } catch {
      throw new BackendError(`PowerDNS answered ${method} ${path} with a body that is not JSON`);
    }
  }

  /** One logical call: attempts (retried only for GET) within the budget. */
  private async call(
    method: Method,
    path: string,
    body: string | Buffer | undefined,
    outer?: Deadline,
    accept = 'application/json',
  ): Promise<RawResponse> {
    const deadline = (outer ?? Deadline.in(this.config.timeoutMs)).cap(this.config.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        return this.check(method, path, await this.attempt(method, path, body, deadline, accept));
      } catch (error) {
        const retryable =
          method === 'GET' &&
          (error instanceof BackendUnavailableError ||
            (error instanceof BackendError && (error as RetryableMark).retryable === true));
        const pause = this.backoffMs(attempt);
        if (!retryable || deadline.remainingMs() < pause + MIN_ATTEMPT_MS) throw error;
        this.config.metrics.apiRetries.inc({ instance: this.config.instance });
        this.config.logger.debug(`retrying ${method} ${path} in ${Math.round(pause)} ms: ${(error as Error).message}`);
        await sleep(pause);
      }
    }
  }

  private async attempt(
    method: Method,
    path: string,
    body: string | Buffer | undefined,
    deadline: Deadline,
    accept: string,
  ): Promise<RawResponse> {
    const budget = deadline.remainingMs();
    const url = `${this.endpoint}${path}`;
    const { metrics, instance } = this.config;
    const endTimer = metrics.apiRequestDuration.startTimer({ instance, method });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, budget);
    try {
      if (budget <= 0) {
        timedOut = true;
        throw new Error('no time left');
      }
      const headers: Record<string, string> = { 'x-api-key': this.config.apiKey, accept };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await request(url, {
        method,
        headers,
        body,
        signal: controller.signal,
        ...(this.config.dispatcher ? { dispatcher: this.config.dispatcher } : {}),
      });
      const text = decodeBody(Buffer.from(await response.body.arrayBuffer()));
      const contentType = String(response.headers['content-type'] ?? '');
      metrics.apiRequests.inc({ instance, method, code: String(response.statusCode) });
      return { statusCode: response.statusCode, contentType, text };
    } catch (error) {
      if (timedOut) {
        metrics.apiRequests.inc({ instance, method, code: 'timeout' });
        throw new BackendTimeoutError(
          `PowerDNS at ${this.endpoint} did not answer ${method} ${path} within ${budget} ms`,
        );
      }
      // A TLS failure is a configuration problem: said as such, a 502, never retried.
      const tlsError = isTlsError(error) ? error : this.config.tlsErrorBehind?.(error);
      const tls = tlsError
        ? describeTlsFailure(tlsError, this.endpoint, {
            hasClientCert: this.config.hasClientCert === true,
            prefix: this.optionPrefix,
          })
        : undefined;
      if (tls) {
        metrics.apiRequests.inc({ instance, method, code: 'tls' });
        throw new BackendError(`${this.redact(tls.message)} (${method} ${path})`, { cause: error });
      }
      metrics.apiRequests.inc({ instance, method, code: 'unreachable' });
      throw new BackendUnavailableError(
        `PowerDNS at ${this.endpoint} is unreachable (${method} ${path}): ${this.redact(describeNetworkError(error))}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      endTimer();
    }
  }

  /** Maps a non-2xx answer to an SDK error. PowerDNS sends plain text for 401/404/409 and JSON for 422. */
  private check(method: Method, path: string, response: RawResponse): RawResponse {
    const { statusCode } = response;
    if (statusCode >= 200 && statusCode < 300) return response;
    const detail = this.redact(errorText(response));
    const what = `${method} ${path}`;
    if (statusCode === 401 || statusCode === 403) {
      this.logAuthRejected(statusCode, what);
      throw new PowerDnsAuthError(
        `PowerDNS rejected the API key (HTTP ${statusCode} on ${what}); check ${this.optionPrefix}API_KEY`,
      );
    }
    if (statusCode === 404) throw new PowerDnsNotFoundError(`PowerDNS answered 404 to ${what}: ${detail}`);
    if (statusCode === 422) throw new PowerDnsUnprocessableError(`PowerDNS refused ${what} (422): ${detail}`, detail);
    const error = new BackendError(`PowerDNS answered ${statusCode} to ${what}: ${detail}`);
    if (RETRYABLE_STATUS.has(statusCode)) (error as RetryableMark).retryable = true;
    throw error;
  }

  /** Says once a minute, loudly, that the key was refused: the one failure retrying never fixes. */
  private logAuthRejected(statusCode: number, what: string): void {
    const now = Date.now();
    if (now - this.lastAuthLogAt < AUTH_LOG_INTERVAL_MS) return;
    this.lastAuthLogAt = now;
    this.config.logger.error(
      `PowerDNS at ${this.endpoint} rejected the API key (HTTP ${statusCode} on ${what}): ` +
        `check ${this.optionPrefix}API_KEY (or ${this.optionPrefix}API_KEY_FILE) against the server's api-key`,
    );
  }

  private redact(text: string): string {
    const key = this.config.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }
}

type RetryableMark = { retryable?: boolean };

/**
 * The body as text. PowerDNS writes ASCII (it escapes other bytes in names
 * and contents), and an ASCII buffer decoded as latin1 is the same string at
 * a fraction of UTF-8 decoding's cost: this is on the path of every zone
 * Records reads.
 */
function decodeBody(body: Buffer): string {
  return body.toString(isAscii(body) ? 'latin1' : 'utf8');
}

/** The error text of an answer: `{"error": "..."}` when JSON, the body itself otherwise. */
export function errorText(response: { contentType: string; text: string }): string {
  const text = response.text.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { error?: unknown; errors?: unknown };
      if (typeof parsed.error === 'string') {
        const more = Array.isArray(parsed.errors) ? parsed.errors.filter((e) => typeof e === 'string') : [];
        return truncate([parsed.error, ...more.filter((e) => e !== parsed.error)].join('; '));
      }
    } catch {
      // not JSON after all: use the text
    }
  }
  return truncate(text.replace(/\s+/g, ' ')) || '(empty body)';
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const cause = (error as { cause?: unknown }).cause;
  const causeCode = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
  const parts = [code, causeCode, error.message].filter((part): part is string => Boolean(part));
  return [...new Set(parts)].join(': ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
