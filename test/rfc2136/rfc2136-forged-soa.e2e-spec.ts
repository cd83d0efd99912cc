import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from '@dnsgate/plugin-sdk';
import { Rfc2136PluginModule } from '../../plugins/rfc2136/src/index.js';
import { nsupdate, startBind, type BindServer } from '../support/bind-server.js';
import { freePort } from '../support/free-port.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { scrapedMetric } from '../support/metrics-text.js';
import { rfc2136Env } from './rfc2136-test-kit.js';

const ZONE = 'forged.test';

/**
 * In front of a real BIND, on a port of its own (TCP and UDP): TCP goes
 * through as it is (updates, transfers); to each UDP query it first answers
 * with BIND's last genuine UDP answer replayed, its ID made the new query's
 * (an old serial, signed, but over another request's MAC), then with BIND's
 * own answer a little later: what an attacker who sees the queries could
 * send to keep a cache serving a zone as it was.
 */
class ReplayingRelay {
  replayed = 0;
  private lastGenuine?: Buffer;
  private readonly udp: UdpSocket = createSocket('udp4');
  private readonly tcp: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly bindPort: number,
  ) {
    this.tcp = createServer((client) => {
      const server = connect(bindPort, '127.0.0.1');
      for (const socket of [client, server]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.pipe(server).pipe(client);
    });
  }

  static async start(bindPort: number): Promise<ReplayingRelay> {
    const relay = new ReplayingRelay(await freePort(), bindPort);
    await new Promise<void>((resolve) => relay.tcp.listen(relay.port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => relay.udp.bind(relay.port, '127.0.0.1', resolve));
    relay.udp.on('message', (query, client) => relay.relay(query, client.port));
    return relay;
  }

  private relay(query: Buffer, clientPort: number): void {
    if (this.lastGenuine) {
      const replay = Buffer.from(this.lastGenuine);
      query.copy(replay, 0, 0, 2);
      this.udp.send(replay, clientPort, '127.0.0.1');
      this.replayed++;
    }
    const upstream = createSocket('udp4');
    upstream.on('message', (answer) => {
      this.lastGenuine = Buffer.from(answer);
      upstream.close();
      setTimeout(() => this.udp.send(answer, clientPort, '127.0.0.1'), 20);
    });
    upstream.send(query, this.bindPort, '127.0.0.1');
  }

  async stop(): Promise<void> {
    this.udp.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.tcp.close(resolve));
  }
}

/**
 * The records cache revalidates an RFC2136 zone by one SOA query over UDP:
 * an answer over UDP is taken only once its TSIG verifies, so a replayed or
 * forged one with an old serial cannot keep a changed zone's cached read
 * (RFC 8945: the response's MAC covers the request's). The forgery is
 * ignored and the server's own answer, which comes after it, is awaited.
 */
describe('rfc2136 records cache: a replayed SOA answer over UDP does not hide a change', () => {
  let bind: BindServer;
  let relay: ReplayingRelay;
  let gateway: TestGateway;

  beforeAll(async () => {
    bind = await startBind({
      zones: [{ name: ZONE, updateKeys: ['dnsgate'], extraRecords: ['www 300 IN A 192.0.2.1'] }],
      keys: [{ name: 'dnsgate', algorithm: 'hmac-sha256' }],
    });
    relay = await ReplayingRelay.start(bind.port);
    gateway = await startGateway({
      env: { DNSGATE_PLUGIN: 'rfc2136', ...rfc2136Env([`127.0.0.1:${relay.port}`], [ZONE], bind.keys.dnsgate) },
      plugins: [Rfc2136PluginModule],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await relay?.stop();
    await bind?.dispose();
  });

  async function names(): Promise<string[]> {
    const response = await gateway.webhook('/records');
    expect(response.status).toBe(200);
    return ((await response.json()) as Endpoint[]).map((e) => e.dnsName).sort();
  }

  const soa = (outcome: string) =>
    scrapedMetric(gateway.healthUrl, 'dnsgate_rfc2136_requests_total', { operation: 'soa', outcome });

  it('answers the zone as it is after a change, though the relay first replays the answer of before', async () => {
    expect(await names()).toEqual([`www.${ZONE}`]); // the first read: an AXFR, over TCP
    expect(await names()).toEqual([`www.${ZONE}`]); // unchanged: one SOA query, whose genuine answer the relay keeps
    await nsupdate(bind, bind.keys.dnsgate!, ZONE, [`update add new.${ZONE} 300 IN A 192.0.2.2`]);

    const okBefore = await soa('ok');
    const replayedBefore = relay.replayed;
    expect(await names()).toEqual([`new.${ZONE}`, `www.${ZONE}`]);
    expect(relay.replayed).toBe(replayedBefore + 1);
    // The genuine answer over UDP, taken after the replay was ignored; not a TSIG failure, not a fall-back to TCP.
    expect(await soa('ok')).toBe(okBefore + 1);
    expect(await soa('tsig')).toBe(0);
  });
});
