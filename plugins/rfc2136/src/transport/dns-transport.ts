import { randomInt } from 'node:crypto';
import { RCODE, TYPE, rcodeMeaning, rcodeName } from '../dns/dns-constants.js';
import { MalformedMessageError, readMessageLayout, type MessageLayout } from '../dns/dns-message.reader.js';
import { DnsConnectionError, DnsTcpConnection, DnsTimeoutError } from '../dns/dns-tcp.connection.js';
import {
  TsigResponseVerifier,
  TsigVerificationError,
  signInPlace,
  signRequest,
  type TsigKey,
} from '../dns/tsig.signer.js';
import { buildIxfrQuery, buildQuery, type FramedMessage } from '../dns/update-message.builder.js';
import {
  AxfrReplyReader,
  EmptyTransferError,
  IxfrReplyReader,
  soaSerial,
  type IxfrReply,
  type TransferReplyReader,
  type TransferRr,
  type TransferSink,
} from '../dns/zone-transfer.reader.js';
import { MessageNames, readName, skipName } from '../dns/wire-name.codec.js';
import type { Deadline } from '@dnsgate/plugin-sdk';
import type { DnsHost, HostSelector } from './host-selector.js';
import { UnverifiedUdpAnswersError, exchangeOverUdp, isTruncated } from './udp-exchange.js';

/** How long an SOA query waits for its UDP answer before asking over TCP (within the call's budget). */
const UDP_ANSWER_WITHIN_MS = 1000;
/** A server whose UDP went unanswered is asked over TCP only for this long, so each read does not wait again. */
const UDP_SILENCE_REMEMBERED_MS = 5 * 60_000;

/** The server answered with an rcode other than NOERROR. */
export class DnsRcodeError extends Error {
  override readonly name = 'DnsRcodeError';
  constructor(
    readonly rcode: number,
    readonly host: string,
    what: string,
    keyName?: string,
  ) {
    super(`${host} answered ${what} with ${rcodeName(rcode)}: ${rcodeMeaning(rcode, keyName)}`);
  }
}

/** Every configured server failed to connect or answer in time. */
export class AllHostsFailedError extends Error {
  override readonly name = 'AllHostsFailedError';
  constructor(
    readonly failures: Error[],
    what: string,
  ) {
    super(`${what}: no server could be reached: ${failures.map((f) => f.message).join('; ')}`);
  }

  /** True when every failure was a timeout. */
  get allTimeouts(): boolean {
    return this.failures.length > 0 && this.failures.every((f) => f instanceof DnsTimeoutError);
  }
}

export type RequestOutcome = 'ok' | 'unavailable' | 'timeout' | 'tsig' | 'malformed' | string;

export interface TransportObserver {
  (
    operation: 'update' | 'axfr' | 'ixfr' | 'soa' | 'query',
    host: string,
    outcome: RequestOutcome,
    seconds: number,
  ): void;
}

export interface DnsTransportOptions {
  selector: HostSelector;
  timeoutMs: number;
  observe?: TransportObserver;
}

export function isConnectionFailure(error: unknown): error is DnsConnectionError | DnsTimeoutError {
  return error instanceof DnsConnectionError || error instanceof DnsTimeoutError;
}

function outcomeOf(error: unknown): RequestOutcome {
  // Answers came, and none verified: counted with the TSIG failures, not as silence.
  if (error instanceof UnverifiedUdpAnswersError) return 'tsig';
  if (error instanceof DnsTimeoutError) return 'timeout';
  if (error instanceof DnsConnectionError) return 'unavailable';
  if (error instanceof TsigVerificationError) return 'tsig';
  if (error instanceof DnsRcodeError) return rcodeName(error.rcode).toLowerCase();
  if (error instanceof MalformedMessageError) return 'malformed';
  return 'error';
}

/**
 * Talks DNS over TCP to the configured servers (SOA queries over UDP first),
 * failing over to the next one on a connection error or timeout (never on
 * an answer, even a negative one), signing with TSIG and verifying every
 * signed answer.
 */
export class DnsTransport {
  /** Servers whose UDP went unanswered, and until when their SOA queries go over TCP only. */
  private readonly udpSilentUntil = new Map<string, number>();

  constructor(private readonly options: DnsTransportOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** How long one step may wait: TIMEOUT, or what is left of the call's deadline when that is less. */
  private waitMs(deadline?: Deadline): number {
    return deadline ? Math.max(1, Math.min(this.options.timeoutMs, deadline.remainingMs())) : this.options.timeoutMs;
  }

  /** Opens a connection to the first server that takes one, in selection order. */
  async connect(
    order: DnsHost[] = this.options.selector.order(),
    deadline?: Deadline,
  ): Promise<{ connection: DnsTcpConnection; rest: DnsHost[] }> {
    const failures: Error[] = [];
    for (let i = 0; i < order.length; i++) {
      const host = order[i]!;
      if (deadline?.expired && failures.length > 0) break;
      try {
        const connection = await DnsTcpConnection.open(host.host, host.port, this.waitMs(deadline));
        return { connection, rest: order.slice(i + 1) };
      } catch (error) {
        failures.push(error as Error);
        this.options.observe?.('query', host.address, outcomeOf(error), 0);
      }
    }
    throw new AllHostsFailedError(failures, 'connect');
  }

  /**
   * Sends one request on an open connection and returns its answer, TSIG
   * verified. Throws DnsRcodeError for an rcode other than NOERROR.
   */
  async exchange(
    connection: DnsTcpConnection,
    unsigned: Buffer,
    key: TsigKey | undefined,
    what: string,
    operation: 'update' | 'query' | 'soa',
    deadline?: Deadline,
  ): Promise<{ message: Buffer; layout: MessageLayout }> {
    const started = process.hrtime.bigint();
    const id = randomInt(0, 0x10000);
    const request = Buffer.from(unsigned);
    request.writeUInt16BE(id, 0);
    const signed = key ? signRequest(request, key) : undefined;
    try {
      connection.send(signed ? signed.message : request);
      for (;;) {
        const message = await connection.receive(this.waitMs(deadline));
        const layout = readMessageLayout(message);
        if (layout.id !== id || !layout.isResponse) continue; // a late answer to an abandoned request
        if (key && signed) {
          const verifier = new TsigResponseVerifier(key, signed.mac);
          verifier.verify(message, layout);
          verifier.finish();
        }
        if (layout.rcode !== RCODE.NOERROR) throw new DnsRcodeError(layout.rcode, connection.address, what, key?.name);
        this.options.observe?.(operation, connection.address, 'ok', seconds(started));
        return { message, layout };
      }
    } catch (error) {
      this.options.observe?.(operation, connection.address, outcomeOf(error), seconds(started));
      throw error;
    }
  }

  /**
   * Sends `count` requests on one connection with up to `window` of them in
   * flight (RFC 7766 pipelining), and reports each answer (or its rcode /
   * TSIG failure) through `onAnswer` by request index. Stops at the first
   * connection failure or timeout and returns the indexes still unanswered,
   * for the caller to send elsewhere. Each request is built by `build` just
   * before it is sent (so building overlaps the server's work), framed and
   * with room for the TSIG RR; the ID and the TSIG are written into the
   * buffer it returns, which must be a fresh one, and that buffer is what
   * goes to the socket.
   */
  async pipeline(
    connection: DnsTcpConnection,
    count: number,
    build: (index: number) => FramedMessage,
    key: TsigKey | undefined,
    what: string,
    window: number,
    onAnswer: (index: number, error?: Error) => void,
    deadline?: Deadline,
  ): Promise<{ unanswered: number[]; failure?: DnsConnectionError | DnsTimeoutError }> {
    const inFlight = new Map<number, { index: number; mac?: Buffer; started: bigint }>();
    let next = 0;
    const sendNext = (): void => {
      const index = next++;
      let id = randomInt(0, 0x10000);
      while (inFlight.has(id)) id = randomInt(0, 0x10000);
      const request = build(index);
      request.buffer.writeUInt16BE(id, 2);
      const mac = key ? signInPlace(request, key) : undefined;
      inFlight.set(id, { index, ...(mac ? { mac } : {}), started: process.hrtime.bigint() });
      connection.sendFramed(request.frame());
    };
    try {
      while (next < count || inFlight.size > 0) {
        // No new message once the call's deadline passed: what is in flight is still awaited, briefly.
        while (next < count && inFlight.size < window && !deadline?.expired) sendNext();
        if (inFlight.size === 0) break;
        const message = await connection.receive(this.waitMs(deadline));
        const layout = readMessageLayout(message);
        const pending = inFlight.get(layout.id);
        if (!pending || !layout.isResponse) continue;
        inFlight.delete(layout.id);
        try {
          if (key && pending.mac) {
            const verifier = new TsigResponseVerifier(key, pending.mac);
            verifier.verify(message, layout);
            verifier.finish();
          }
          if (layout.rcode !== RCODE.NOERROR)
            throw new DnsRcodeError(layout.rcode, connection.address, what, key?.name);
          this.options.observe?.('update', connection.address, 'ok', seconds(pending.started));
          onAnswer(pending.index);
        } catch (error) {
          this.options.observe?.('update', connection.address, outcomeOf(error), seconds(pending.started));
          onAnswer(pending.index, error as Error);
        }
      }
      return { unanswered: Array.from({ length: count - next }, (_, i) => next + i) };
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      this.options.observe?.('update', connection.address, outcomeOf(error), 0);
      const unanswered = [
        ...[...inFlight.values()].map((p) => p.index),
        ...Array.from({ length: count - next }, (_, i) => next + i),
      ];
      return { unanswered: unanswered.sort((a, b) => a - b), failure: error };
    }
  }

  /** Runs `attempt` on each server in turn until one does not fail to connect or time out. */
  async withFailover<T>(
    what: string,
    attempt: (connection: DnsTcpConnection) => Promise<T>,
    deadline?: Deadline,
    order: readonly DnsHost[] = this.options.selector.order(),
  ): Promise<T> {
    const failures: Error[] = [];
    for (const host of order) {
      // Fail-over fits inside the call's budget: no next server once it is spent.
      if (deadline?.expired && failures.length > 0) break;
      let connection: DnsTcpConnection | undefined;
      try {
        connection = await DnsTcpConnection.open(host.host, host.port, this.waitMs(deadline));
        return await attempt(connection);
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
        if (!connection) this.options.observe?.('query', host.address, outcomeOf(error), 0);
        failures.push(error);
      } finally {
        connection?.close();
      }
    }
    throw new AllHostsFailedError(failures, what);
  }

  /** The SOA of `zone`, to check that a server serves it (and accepts the key). */
  async probe(zone: string, key: TsigKey | undefined): Promise<void> {
    await this.withFailover(`SOA query for ${zone}`, async (connection) => {
      const { message, layout } = await this.exchange(
        connection,
        buildQuery(0, zone, TYPE.SOA),
        key,
        `the SOA query for ${zone}`,
        'query',
      );
      const aa = (message.readUInt16BE(2) & 0x0400) !== 0;
      if (!aa || layout.ancount === 0) {
        throw new DnsRcodeError(RCODE.NOTAUTH, connection.address, `the SOA query for ${zone} (not authoritative)`);
      }
    });
  }

  /**
   * The serial of `zone`'s SOA, by one query (signed with `key` when there
   * is one): the zone's version. An answer that is not authoritative, or
   * has no SOA for the zone, is NOTAUTH. Asked over UDP first, each server
   * in turn, and over TCP where the UDP answer is truncated or does not come
   * (see soaAnswerOverUdp); a server that did not answer over UDP is then
   * asked over TCP only, for UDP_SILENCE_REMEMBERED_MS.
   * Measured on the 2-core machine (load 3–6) inside the gateway, a cached
   * GET /records of an unchanged 10k-record zone: the SOA query 2.0–2.7 ms
   * over a new TCP connection, 1.4–1.6 ms over UDP (0.4–0.6 ms in a process
   * of its own; see udp-exchange.ts); the whole read, timed by a keep-alive
   * client beside the build before in one run (80 rounds, load 4.7): 12.1 →
   * 8.3 ms median.
   */
  async soaSerial(zone: string, key: TsigKey | undefined, deadline?: Deadline): Promise<number> {
    const what = `the SOA query for ${zone}`;
    const failures: Error[] = [];
    for (const host of this.options.selector.order()) {
      if (deadline?.expired && failures.length > 0) break;
      try {
        const overUdp = await this.soaAnswerOverUdp(host, zone, key, what, deadline);
        if (overUdp) return soaSerialOf(overUdp.message, overUdp.layout, zone, host.address, what, key);
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
      }
      try {
        return await this.withFailover(
          `SOA query for ${zone}`,
          async (connection) => {
            const { message, layout } = await this.exchange(
              connection,
              buildQuery(0, zone, TYPE.SOA),
              key,
              what,
              'soa',
              deadline,
            );
            return soaSerialOf(message, layout, zone, connection.address, what, key);
          },
          deadline,
          [host],
        );
      } catch (error) {
        if (!(error instanceof AllHostsFailedError)) throw error;
        failures.push(...error.failures);
      }
    }
    throw new AllHostsFailedError(failures, `SOA query for ${zone}`);
  }

  /**
   * The SOA query's answer over UDP, TSIG verified; undefined when it must
   * be asked over TCP: the answer was truncated, or the host is remembered
   * as not answering over UDP. A datagram whose TSIG does not verify, or
   * that is malformed, is ignored while the real answer may still come
   * (exchangeOverUdp); when none other came, that is a timeout for the
   * caller, which asks over TCP, where a server that rejects the key says
   * so. Throws a connection failure or timeout (the caller then asks over
   * TCP, and remembers the host as one to ask over TCP only: while
   * something forges its answers, TCP is the safer way too), or
   * DnsRcodeError for a verified answer's rcode.
   */
  private async soaAnswerOverUdp(
    host: DnsHost,
    zone: string,
    key: TsigKey | undefined,
    what: string,
    deadline?: Deadline,
  ): Promise<{ message: Buffer; layout: MessageLayout } | undefined> {
    const silentUntil = this.udpSilentUntil.get(host.address);
    if (silentUntil !== undefined && Date.now() < silentUntil) return undefined;
    const started = process.hrtime.bigint();
    const request = buildQuery(randomInt(0, 0x10000), zone, TYPE.SOA);
    const signed = key ? signRequest(request, key) : undefined;
    // The answer's layout, TSIG verified; undefined for a truncated answer, asked again over TCP whether forged or not.
    const verified = (answer: Buffer): MessageLayout | undefined => {
      if (isTruncated(answer)) return undefined;
      const layout = readMessageLayout(answer);
      if (key && signed) {
        const verifier = new TsigResponseVerifier(key, signed.mac);
        verifier.verify(answer, layout);
        verifier.finish();
      }
      return layout;
    };
    try {
      const { answer: message, checked: layout } = await exchangeOverUdp(
        host.host,
        host.port,
        signed ? signed.message : request,
        Math.min(UDP_ANSWER_WITHIN_MS, this.waitMs(deadline)),
        verified,
      );
      this.udpSilentUntil.delete(host.address);
      if (!layout) {
        this.options.observe?.('soa', host.address, 'truncated', seconds(started));
        return undefined;
      }
      if (layout.rcode !== RCODE.NOERROR) throw new DnsRcodeError(layout.rcode, host.address, what, key?.name);
      this.options.observe?.('soa', host.address, 'ok', seconds(started));
      return { message, layout };
    } catch (error) {
      if (error instanceof DnsTimeoutError)
        this.udpSilentUntil.set(host.address, Date.now() + UDP_SILENCE_REMEMBERED_MS);
      this.options.observe?.('soa', host.address, outcomeOf(error), seconds(started));
      throw error;
    }
  }

  /**
   * A full zone transfer (AXFR over TCP, RFC 5936): the RRs between the
   * opening and the closing SOA, and the opening SOA's serial (the version
   * they are at). With a key, every message's TSIG is checked by the
   * RFC 8945 rules for multi-message answers.
   */
  async transfer<S extends TransferSink>(
    zone: string,
    key: TsigKey | undefined,
    newSink: () => S,
    deadline?: Deadline,
  ): Promise<{ serial: number; sink: S }> {
    const what = `the AXFR of ${zone}`;
    // Each server tried gets a sink of its own: a transfer that broke off leaves nothing behind.
    let reader: AxfrReplyReader | undefined;
    let sink: S | undefined;
    await this.transferWith(
      'axfr',
      buildQuery(0, zone, TYPE.AXFR),
      () => {
        sink = newSink();
        reader = new AxfrReplyReader(what, sink);
        return reader;
      },
      what,
      zone,
      key,
      deadline,
    );
    return { serial: reader!.serial!, sink: sink! };
  }

  /**
   * An incremental zone transfer (IXFR over TCP, RFC 1995) from `serial`,
   * TSIG-checked like the AXFR. Throws DnsRcodeError when the server refuses
   * it (NOTIMP, REFUSED, NOTAUTH): the caller decides what that means.
   */
  async incrementalTransfer(
    zone: string,
    key: TsigKey | undefined,
    serial: number,
    deadline?: Deadline,
  ): Promise<IxfrReply> {
    const what = `the IXFR of ${zone}`;
    let reader: IxfrReplyReader | undefined;
    await this.transferWith(
      'ixfr',
      buildIxfrQuery(0, zone, serial),
      () => (reader = new IxfrReplyReader(what)),
      what,
      zone,
      key,
      deadline,
    );
    return reader!.reply();
  }

  private async transferWith(
    operation: 'axfr' | 'ixfr',
    request: Buffer,
    newReader: () => TransferReplyReader,
    what: string,
    zone: string,
    key: TsigKey | undefined,
    deadline?: Deadline,
  ): Promise<void> {
    await this.withFailover(
      `${operation.toUpperCase()} of ${zone}`,
      async (connection) => {
        const started = process.hrtime.bigint();
        try {
          await this.transferOn(connection, request, newReader(), what, key, deadline);
          this.options.observe?.(operation, connection.address, 'ok', seconds(started));
        } catch (error) {
          this.options.observe?.(operation, connection.address, outcomeOf(error), seconds(started));
          throw error;
        }
      },
      deadline,
    );
  }

  private async transferOn(
    connection: DnsTcpConnection,
    unsigned: Buffer,
    reader: TransferReplyReader,
    what: string,
    key: TsigKey | undefined,
    deadline?: Deadline,
  ): Promise<void> {
    const id = randomInt(0, 0x10000);
    const request = Buffer.from(unsigned);
    request.writeUInt16BE(id, 0);
    const signed = key ? signRequest(request, key) : undefined;
    const verifier = key && signed ? new TsigResponseVerifier(key, signed.mac) : undefined;
    connection.send(signed ? signed.message : request);
    let complete = false;
    const names = new MessageNames();
    while (!complete) {
      const message = await connection.receive(this.waitMs(deadline));
      const layout = readMessageLayout(message);
      if (layout.id !== id) continue;
      verifier?.verify(message, layout);
      if (layout.rcode !== RCODE.NOERROR) throw new DnsRcodeError(layout.rcode, connection.address, what, key?.name);
      let offset = layout.answerOffset;
      names.startMessage(message);
      for (let i = 0; i < layout.ancount && !complete; i++) {
        const nameEnd = skipName(message, offset);
        const type = message.readUInt16BE(nameEnd);
        const ttl = message.readUInt32BE(nameEnd + 4);
        const rdataOffset = nameEnd + 8;
        const serial = type === TYPE.SOA ? soaSerial(message, rdataOffset) : undefined;
        complete = reader.add(names, offset, type, ttl, message, rdataOffset, serial);
        offset = nameEnd + 10 + message.readUInt16BE(rdataOffset);
      }
      try {
        if (!complete) complete = reader.endOfMessage();
      } catch (error) {
        if (error instanceof EmptyTransferError)
          throw new DnsRcodeError(RCODE.NOTAUTH, connection.address, error.message, key?.name);
        throw error;
      }
    }
    if (!reader.abandoned) verifier?.finish();
  }
}

/** The serial of the authoritative SOA of `zone` in an answer to its SOA query; NOTAUTH when there is none. */
function soaSerialOf(
  message: Buffer,
  layout: MessageLayout,
  zone: string,
  address: string,
  what: string,
  key: TsigKey | undefined,
): number {
  const aa = (message.readUInt16BE(2) & 0x0400) !== 0;
  let offset = layout.answerOffset;
  for (let i = 0; aa && i < layout.ancount; i++) {
    const nameEnd = skipName(message, offset);
    const type = message.readUInt16BE(nameEnd);
    if (type === TYPE.SOA && readName(message, offset) === zone) return soaSerial(message, nameEnd + 8);
    offset = nameEnd + 10 + message.readUInt16BE(nameEnd + 8);
  }
  throw new DnsRcodeError(RCODE.NOTAUTH, address, `${what} (no authoritative SOA)`, key?.name);
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export { DnsConnectionError, DnsTimeoutError, TsigVerificationError };
export type { TransferRr };
