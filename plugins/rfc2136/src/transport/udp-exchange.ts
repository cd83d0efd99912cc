import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DnsConnectionError, DnsTimeoutError } from '../dns/dns-tcp.connection.js';

/** The header's QR bit (in the flags, the message's third and fourth bytes). */
const QR = 0x8000;
/** The header's TC bit: the answer did not fit in the datagram, ask again over TCP (RFC 1035 4.2.1). */
const TC = 0x0200;
const HEADER_BYTES = 12;

/** Whether the server truncated the answer (TC): only a TCP query gets all of it. */
export function isTruncated(answer: Buffer): boolean {
  return (answer.readUInt16BE(2) & TC) !== 0;
}

/**
 * No datagram that answered the query passed the caller's check (its TSIG,
 * mostly) before the time ran out, though some came: a forged or mangled
 * answer is ignored, not taken as the server's, and the caller asks over TCP
 * as for no answer at all.
 */
export class UnverifiedUdpAnswersError extends DnsTimeoutError {
  override readonly name = 'UnverifiedUdpAnswersError';
  constructor(
    address: string,
    timeoutMs: number,
    readonly ignored: number,
    readonly lastRejection: Error,
  ) {
    super(
      `no answer over UDP from ${address} within ${timeoutMs} ms passed its check: ` +
        `${ignored} ignored, the last because ${lastRejection.message}`,
    );
  }
}

/**
 * Throws when a datagram that answers the query is not to be taken as the
 * server's answer (a TSIG that does not verify, a malformed message); else
 * returns what it read of it (its layout, say), handed back with it.
 */
export type AnswerCheck<T> = (answer: Buffer) => T;

/**
 * One DNS query over UDP (RFC 1035 4.2.1) to `host`, on a socket of its own
 * (a fresh source port per query, as resolvers use against forged answers;
 * connected, so the ICMP "port unreachable" of a server that is down comes
 * back as an error at once instead of a timeout). Resolves with the first
 * datagram that answers it and passes `check`: from the server (the
 * connected socket drops any other sender), a response, with the query's ID
 * and question. Anything else is ignored and the socket goes on waiting, as
 * resolvers wait for a valid response: an off-path forger who guessed the
 * port and ID, or a mangled datagram, cannot end the query before the
 * server's own answer. Rejects with DnsConnectionError when the socket
 * fails, UnverifiedUdpAnswersError when only answers that failed `check`
 * came within `timeoutMs`, and DnsTimeoutError when none came. The caller
 * looks at the answer's TC bit and rcode.
 *
 * Why UDP: BIND answers a query over a new TCP connection in 1–8 ms on the
 * 2-core machine (dig +tcp, loaded) and over UDP in under 1 ms; an SOA query
 * is the only backend traffic of a cached GET /records, so it was most of
 * one: see DnsTransport.soaSerial for the measured gain.
 */
export function exchangeOverUdp<T = undefined>(
  host: string,
  port: number,
  query: Buffer,
  timeoutMs: number,
  check: AnswerCheck<T> = () => undefined as T,
): Promise<{ answer: Buffer; checked: T }> {
  const address = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const questionEnd = questionEndOf(query);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let settled = false;
    let ignored = 0;
    let lastRejection: Error | undefined;
    const settle = (error: Error | undefined, answered?: { answer: Buffer; checked: T }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(answered!);
    };
    const timer = setTimeout(
      () =>
        settle(
          lastRejection
            ? new UnverifiedUdpAnswersError(address, timeoutMs, ignored, lastRejection)
            : new DnsTimeoutError(`no answer over UDP from ${address} within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    socket.unref();
    socket.on('error', (error) => settle(new DnsConnectionError(`UDP to ${address} failed: ${error.message}`)));
    socket.on('message', (answer) => {
      if (!answers(answer, query, questionEnd)) return;
      let checked: T;
      try {
        checked = check(answer);
      } catch (error) {
        ignored++;
        lastRejection = error as Error;
        return;
      }
      settle(undefined, { answer, checked });
    });
    socket.connect(port, host, () => socket.send(query));
  });
}

/** Whether `answer` is a response to `query`: its ID, the QR bit, and the same question, byte for byte. */
function answers(answer: Buffer, query: Buffer, questionEnd: number): boolean {
  if (answer.length < questionEnd) return false;
  if (answer.readUInt16BE(0) !== query.readUInt16BE(0) || (answer.readUInt16BE(2) & QR) === 0) return false;
  return (
    answer.readUInt16BE(4) === 1 && answer.compare(query, HEADER_BYTES, questionEnd, HEADER_BYTES, questionEnd) === 0
  );
}

/** Where the query's one question ends: its name (uncompressed, as every query dnsgate builds), type and class. */
function questionEndOf(query: Buffer): number {
  let offset = HEADER_BYTES;
  while (offset < query.length && query[offset] !== 0) offset += query[offset]! + 1;
  if (offset >= query.length) throw new RangeError('a DNS query without a question');
  return offset + 1 + 4;
}
