import { createServer, type Server, type Socket } from 'node:net';
import { DnsConnectionError, DnsTcpConnection, DnsTimeoutError } from './dns-tcp.connection.js';

function frame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff]), message]);
}

const sockets: Socket[] = [];

async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('DNS over TCP: framing and reassembly', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy());
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('reassembles messages split byte by byte and several in one chunk', async () => {
    const a = Buffer.alloc(300, 1);
    const b = Buffer.alloc(5, 2);
    const c = Buffer.alloc(65_000, 3);
    const { server, port } = await listen((socket) => {
      const bytes = Buffer.concat([frame(a), frame(b)]);
      let i = 0;
      const drip = setInterval(() => {
        if (i < bytes.length) {
          socket.write(bytes.subarray(i, i + 1));
          i++;
        } else {
          clearInterval(drip);
          socket.write(frame(c));
        }
      }, 0);
    });
    servers.push(server);
    const connection = await DnsTcpConnection.open('127.0.0.1', port, 1000);
    expect(await connection.receive(5000)).toEqual(a);
    expect(await connection.receive(5000)).toEqual(b);
    expect(await connection.receive(5000)).toEqual(c);
    connection.close();
  });

  it('frames what it sends with the two-byte length', async () => {
    const received = new Promise<Buffer>((resolve) => {
      void listen((socket) => socket.once('data', resolve)).then(({ server, port }) => {
        servers.push(server);
        void DnsTcpConnection.open('127.0.0.1', port, 1000).then((connection) => connection.send(Buffer.from('hello')));
      });
    });
    expect(await received).toEqual(Buffer.from([0, 5, ...Buffer.from('hello')]));
  });

  it('sends a message framed in its own buffer as it is, and refuses one whose prefix is not its length', async () => {
    const received = new Promise<Buffer>((resolve) => {
      void listen((socket) => socket.once('data', resolve)).then(({ server, port }) => {
        servers.push(server);
        void DnsTcpConnection.open('127.0.0.1', port, 1000).then((connection) => {
          expect(() => connection.sendFramed(Buffer.from([0, 9, ...Buffer.from('hello')]))).toThrow(RangeError);
          expect(() => connection.sendFramed(Buffer.from([0]))).toThrow(RangeError);
          connection.sendFramed(Buffer.from([0, 5, ...Buffer.from('hello')]));
        });
      });
    });
    expect(await received).toEqual(Buffer.from([0, 5, ...Buffer.from('hello')]));
  });

  it('times out when no answer comes, and fails on a refused or closed connection', async () => {
    const { server, port } = await listen(() => undefined);
    servers.push(server);
    const connection = await DnsTcpConnection.open('127.0.0.1', port, 1000);
    await expect(connection.receive(50)).rejects.toBeInstanceOf(DnsTimeoutError);
    expect(connection.isOpen).toBe(false);

    const closing = await listen((socket) => socket.end());
    servers.push(closing.server);
    const closed = await DnsTcpConnection.open('127.0.0.1', closing.port, 1000);
    await expect(closed.receive(1000)).rejects.toBeInstanceOf(DnsConnectionError);

    closing.server.close();
    await new Promise((r) => setTimeout(r, 20));
    await expect(DnsTcpConnection.open('127.0.0.1', closing.port, 1000)).rejects.toThrow(/ECONNREFUSED/);
    expect(() => connection.send(Buffer.alloc(70_000))).toThrow();
  });
});
