import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { DnsConnectionError, DnsTimeoutError } from '../dns/dns-tcp.connection.js';
import { TYPE } from '../dns/dns-constants.js';
import { readMessageLayout } from '../dns/dns-message.reader.js';
import { serverSign } from '../dns/tsig.server.spec-helper.js';
import { TsigKey } from '../dns/tsig.signer.js';
import { buildQuery } from '../dns/update-message.builder.js';
import { DnsTransport } from './dns-transport.js';
import { HostSelector } from './host-selector.js';
import { UnverifiedUdpAnswersError, exchangeOverUdp, isTruncated } from './udp-exchange.js';

const AA = 0x0400;
const QR = 0x8000;
const TC = 0x0200;

/** A response to `query` (its ID and question) with flags `flags` and, unless truncated, the zone's SOA at `serial`. */
function soaAnswer(query: Buffer, serial: number, flags = QR | AA): Buffer {
  const questionEnd = query.indexOf(0, 12) + 5;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(flags, 2);
  const truncated = (flags & TC) !== 0;
  header.writeUInt16BE(truncated ? 0 : 1, 6); // ANCOUNT
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  if (truncated) return Buffer.concat([header, query.subarray(12, questionEnd)]);
  const rdata = Buffer.alloc(22); // MNAME and RNAME the root, then serial and four timers
  rdata.writeUInt32BE(serial, 2);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // the question's name
  rr.writeUInt16BE(TYPE.SOA, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, query.subarray(12, questionEnd), rr, rdata]);
}

const udpSockets: UdpSocket[] = [];
const tcpServers: Server[] = [];
const tcpSockets: Socket[] = [];

async function udpServer(onQuery: (query: Buffer, reply: (answer: Buffer) => void) => void, port = 0): Promise<number> {
  const socket = createSocket('udp4');
  udpSockets.push(socket);
  socket.on('message', (query, from) => onQuery(query, (answer) => socket.send(answer, from.port, from.address)));
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return socket.address().port;
}

/** A DNS-over-TCP server on `port` answering each query with `answer(query)`; counts the queries. */
async function tcpServer(port: number, answer: (query: Buffer) => Buffer): Promise<{ queries: number }> {
  const seen = { queries: 0 };
  const server = createServer((socket) => {
    tcpSockets.push(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + query.length);
        seen.queries++;
        const reply = answer(query);
        socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
      }
    });
  });
  tcpServers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return seen;
}

function query(id: number): Buffer {
  const message = buildQuery(id, 'zone.test', TYPE.SOA);
  return message;
}

function transport(port: number, observed: string[] = []): DnsTransport {
  return new DnsTransport({
    selector: new HostSelector([{ host: '127.0.0.1', port, address: `127.0.0.1:${port}` }], 'failover'),
    timeoutMs: 2000,
    observe: (operation, _host, outcome) => observed.push(`${operation} ${outcome}`),
  });
}

afterEach(async () => {
  udpSockets.splice(0).forEach((socket) => socket.close());
  tcpSockets.splice(0).forEach((socket) => socket.destroy());
  await Promise.all(tcpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('exchangeOverUdp', () => {
  it('resolves with the answer to its query, ignoring datagrams with another ID, no QR bit or another question', async () => {
    const port = await udpServer((q, reply) => {
      const otherId = soaAnswer(q, 1);
      otherId.writeUInt16BE((q.readUInt16BE(0) + 1) & 0xffff, 0);
      reply(otherId);
      reply(soaAnswer(q, 2, AA)); // not a response
      reply(soaAnswer(query(q.readUInt16BE(0)).fill(0x41, 13, 16), 3)); // another question
      reply(soaAnswer(q, 4));
    });
    const { answer } = await exchangeOverUdp('127.0.0.1', port, query(0x1234), 2000);
    expect(answer.readUInt16BE(0)).toBe(0x1234);
    expect(answer.readUInt32BE(answer.length - 20)).toBe(4);
    expect(isTruncated(answer)).toBe(false);
  });

  it('times out with DnsTimeoutError when no answer comes', async () => {
    const port = await udpServer(() => undefined);
    await expect(exchangeOverUdp('127.0.0.1', port, query(1), 50)).rejects.toThrow(DnsTimeoutError);
  });

  it('fails with DnsConnectionError where nothing listens (ICMP port unreachable), without waiting for the timeout', async () => {
    const port = await udpServer(() => undefined);
    udpSockets.pop()!.close();
    const started = Date.now();
    await expect(exchangeOverUdp('127.0.0.1', port, query(1), 5000)).rejects.toThrow(DnsConnectionError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ignores answers that fail the check and resolves with the one that passes', async () => {
    const port = await udpServer((q, reply) => {
      reply(soaAnswer(q, 1));
      reply(soaAnswer(q, 2));
      reply(soaAnswer(q, 3));
    });
    const serial = (answer: Buffer) => answer.readUInt32BE(answer.length - 20);
    const { answer, checked } = await exchangeOverUdp('127.0.0.1', port, query(0x4321), 2000, (a) => {
      if (serial(a) !== 3) throw new Error(`serial ${serial(a)} is forged`);
      return `serial ${serial(a)}`;
    });
    expect(serial(answer)).toBe(3);
    expect(checked).toBe('serial 3');
  });

  it('times out with UnverifiedUdpAnswersError, a DnsTimeoutError, when only answers failing the check came', async () => {
    const port = await udpServer((q, reply) => {
      reply(soaAnswer(q, 1));
      reply(soaAnswer(q, 2));
    });
    const error = await exchangeOverUdp('127.0.0.1', port, query(9), 100, () => {
      throw new Error('its TSIG did not verify');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnverifiedUdpAnswersError);
    expect(error).toBeInstanceOf(DnsTimeoutError);
    expect((error as UnverifiedUdpAnswersError).ignored).toBe(2);
    expect((error as Error).message).toMatch(/2 ignored, the last because its TSIG did not verify/);
  });

  it('tells a truncated answer', async () => {
    const port = await udpServer((q, reply) => reply(soaAnswer(q, 1, QR | AA | TC)));
    expect(isTruncated((await exchangeOverUdp('127.0.0.1', port, query(7), 2000)).answer)).toBe(true);
  });
});

describe('DnsTransport.soaSerial: UDP first, TCP where UDP does not do', () => {
  it('asks over UDP only when the server answers there', async () => {
    const port = await udpServer((q, reply) => reply(soaAnswer(q, 41)));
    const tcp = await tcpServer(port, (q) => soaAnswer(q, 99));
    const observed: string[] = [];
    expect(await transport(port, observed).soaSerial('zone.test', undefined)).toBe(41);
    expect(tcp.queries).toBe(0);
    expect(observed).toEqual(['soa ok']);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const port = await udpServer((q, reply) => reply(soaAnswer(q, 41, QR | AA | TC)));
    const tcp = await tcpServer(port, (q) => soaAnswer(q, 42));
    const observed: string[] = [];
    expect(await transport(port, observed).soaSerial('zone.test', undefined)).toBe(42);
    expect(tcp.queries).toBe(1);
    expect(observed).toEqual(['soa truncated', 'soa ok']);
  });

  it('asks over TCP when UDP goes unanswered, and then over TCP only', async () => {
    let udpQueries = 0;
    const port = await udpServer(() => udpQueries++);
    const tcp = await tcpServer(port, (q) => soaAnswer(q, 43));
    const dns = new DnsTransport({
      selector: new HostSelector([{ host: '127.0.0.1', port, address: `127.0.0.1:${port}` }], 'failover'),
      timeoutMs: 100, // the UDP wait is within it
    });
    expect(await dns.soaSerial('zone.test', undefined)).toBe(43);
    expect(await dns.soaSerial('zone.test', undefined)).toBe(43);
    expect(udpQueries).toBe(1);
    expect(tcp.queries).toBe(2);
  });

  it('gives an answer over UDP its meaning: not authoritative is NOTAUTH, not asked again over TCP', async () => {
    const port = await udpServer((q, reply) => reply(soaAnswer(q, 41, QR)));
    const tcp = await tcpServer(port, (q) => soaAnswer(q, 42));
    await expect(transport(port).soaSerial('zone.test', undefined)).rejects.toThrow(/no authoritative SOA/);
    expect(tcp.queries).toBe(0);
  });
});

describe('DnsTransport.soaSerial with a TSIG key: an answer over UDP counts only once it verifies', () => {
  const key = new TsigKey('soa-key', Buffer.alloc(32, 7).toString('base64'), 'hmac-sha256');
  const other = new TsigKey('soa-key', Buffer.alloc(32, 8).toString('base64'), 'hmac-sha256');
  const now = () => Math.floor(Date.now() / 1000);
  /** `answer` signed with `signer` as the server signs its answer to the signed query `q`. */
  const signedAnswer = (q: Buffer, answer: Buffer, signer: TsigKey) =>
    serverSign(signer, answer, readMessageLayout(q).tsig!.mac, true, now()).message;

  it('ignores a forged answer (another secret, or unsigned) that comes first, and takes the one the server signed', async () => {
    const port = await udpServer((q, reply) => {
      reply(signedAnswer(q, soaAnswer(q, 666), other));
      reply(soaAnswer(q, 667));
      reply(signedAnswer(q, soaAnswer(q, 44), key));
    });
    const tcp = await tcpServer(port, (q) => signedAnswer(q, soaAnswer(q, 99), key));
    const observed: string[] = [];
    expect(await transport(port, observed).soaSerial('zone.test', key)).toBe(44);
    expect(tcp.queries).toBe(0);
    expect(observed).toEqual(['soa ok']);
  });

  it('asks over TCP when only forged answers come over UDP, and then over TCP only', async () => {
    let udpQueries = 0;
    const port = await udpServer((q, reply) => {
      udpQueries++;
      reply(signedAnswer(q, soaAnswer(q, 666), other));
    });
    const tcp = await tcpServer(port, (q) => signedAnswer(q, soaAnswer(q, 45), key));
    const observed: string[] = [];
    const dns = new DnsTransport({
      selector: new HostSelector([{ host: '127.0.0.1', port, address: `127.0.0.1:${port}` }], 'failover'),
      timeoutMs: 100, // the UDP wait is within it
      observe: (operation, _host, outcome) => observed.push(`${operation} ${outcome}`),
    });
    expect(await dns.soaSerial('zone.test', key)).toBe(45);
    expect(await dns.soaSerial('zone.test', key)).toBe(45);
    expect(udpQueries).toBe(1);
    expect(tcp.queries).toBe(2);
    expect(observed).toEqual(['soa tsig', 'soa ok', 'soa ok']);
  });

  it('still says that the server rejects the key, over TCP, when its unsigned NOTAUTH came over UDP', async () => {
    const notAuth = (q: Buffer) => {
      const answer = soaAnswer(q, 0, 0x8000 | 9); // QR, rcode NOTAUTH, unsigned: what BIND sends for an unknown key
      return answer;
    };
    const port = await udpServer((q, reply) => reply(notAuth(q)));
    await tcpServer(port, notAuth);
    await expect(transport(port).soaSerial('zone.test', key)).rejects.toThrow(/NOTAUTH without a TSIG/);
  });
});
