// A long-lived HTTP client for the benchmarks, in a plain node process of its
// own, as ExternalDNS is a long-lived client: each dnsgate is read over a
// keep-alive connection (one socket per origin, reused from read to read), so
// a read's time is dnsgate's answer, not the start of a client process
// (a curl process per read cost 20–40 ms on the 2-core machine, most of a
// cached read). Not inside the Jest process either: there its garbage
// collection was measured as much as the gateway.
//
// HTTP/1.1 over a plain socket that reads into one buffer and gathers each
// answer into one body buffer, both kept for the whole run, instead of
// node:http: that allocates a new 64 KiB buffer for every read of the socket,
// and on the benchmark machine (a VM) touching a fresh page costs about 10 µs
// (64 MiB written for the first time: 170 ms; again: 3 ms). Measured on the
// gateway's 942 KB answer of a cached 10k-record zone, with 50 ms between
// reads as the benchmarks read: node:http took 6 ms from the first byte to the
// last, and 10 ms for the read; this client 3 ms for the read, with curl's
// own time_total (3.8–5.5 ms, a new connection) in between. A long-lived Go
// client such as ExternalDNS keeps its heap, so it does not pay those faults
// from read to read either.
//
// It reads commands on stdin, one a line, and answers each with one JSON line:
//   get URL   -> { ms, status, count }   a GET with the webhook media type, timed from the request
//                                        to the answer's last byte; `count` is the length of the JSON
//                                        array, parsed after the clock stopped (-1 when not an array)
// A failure answers { error }.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const MEDIA = 'application/external.dns.webhook+json;version=1';
const HEAD_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');

/** Where the answers' bytes gather: one buffer for the run, grown (never shrunk) to the largest answer. */
class Body {
  bytes = Buffer.allocUnsafe(1 << 20);
  length = 0;

  append(chunk) {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + chunk.length));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, this.length);
    this.length += chunk.length;
  }

  text() {
    return this.bytes.toString('utf8', 0, this.length);
  }
}

/**
 * One answer being read: its head, then a body of a Content-Length, or in
 * chunks (Transfer-Encoding: chunked). `take` is given each piece of the
 * socket's bytes and returns true once the answer is whole.
 */
class Answer {
  head = Buffer.alloc(0);
  status = 0;
  remaining = -1; // body bytes still to come (of the length, or of the current chunk)
  chunked = false;
  closes = false; // the server closes the connection after this answer
  pending = Buffer.alloc(0); // a line of the chunked framing not whole yet
  lastChunkRead = false; // the chunk of size 0
  done = false;

  constructor(body) {
    this.body = body;
    body.length = 0;
  }

  take(piece) {
    let rest = piece;
    if (this.status === 0) {
      // The head is nearly always in the first piece: joined with what came before only when it is not.
      const head = this.head.length === 0 ? rest : Buffer.concat([this.head, rest]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        this.head = Buffer.from(head);
        return false;
      }
      this.readHead(head.toString('latin1', 0, end));
      rest = head.subarray(end + HEAD_END.length);
    }
    return this.chunked ? this.takeChunks(rest) : this.takeLength(rest);
  }

  readHead(text) {
    const [statusLine, ...lines] = text.split('\r\n');
    this.status = Number(statusLine.split(' ')[1]);
    const headers = new Map(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).trim().toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    this.chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
    this.closes = /close/i.test(headers.get('connection') ?? '');
    this.remaining = this.chunked ? -1 : Number(headers.get('content-length') ?? 0);
  }

  takeLength(rest) {
    const used = rest.subarray(0, this.remaining);
    this.body.append(used);
    this.remaining -= used.length;
    this.done = this.remaining === 0;
    return this.done;
  }

  takeChunks(piece) {
    let rest = piece;
    while (rest.length > 0 && !this.done) {
      if (this.remaining > 0) {
        const used = rest.subarray(0, this.remaining);
        this.body.append(used);
        this.remaining -= used.length;
        rest = rest.subarray(used.length);
        if (this.remaining === 0) this.remaining = -2; // the CRLF after the chunk's data
        continue;
      }
      // A line: the CRLF after a chunk's data, a chunk's size, or (after the last chunk) the end.
      this.pending = Buffer.concat([this.pending, rest]);
      const end = this.pending.indexOf(LINE_END);
      if (end < 0) break;
      const line = this.pending.toString('latin1', 0, end);
      rest = this.pending.subarray(end + LINE_END.length);
      this.pending = Buffer.alloc(0);
      if (this.remaining === -2) this.remaining = -1;
      else if (this.lastChunkRead)
        this.done = line === ''; // no trailers: the empty line ends the answer
      else if (parseInt(line, 16) === 0) this.lastChunkRead = true;
      else this.remaining = parseInt(line, 16);
    }
    return this.done;
  }
}

/** One keep-alive connection to an origin, opened again when the server closed it between answers. */
class Connection {
  readBuffer = Buffer.allocUnsafe(256 << 10);
  body = new Body();
  socket;
  answer;
  settle;

  /** @param {URL} origin where to connect */
  constructor(origin) {
    this.url = origin;
  }

  async open() {
    const socket = connect({
      host: this.url.hostname,
      port: Number(this.url.port),
      onread: { buffer: this.readBuffer, callback: (length, bytes) => this.received(bytes.subarray(0, length)) },
    });
    socket.setNoDelay(true);
    // Only the current socket's end fails the answer being read: one closed after a `Connection: close` is not it.
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.fail(new Error('the server closed the connection before the answer was whole'));
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
  }

  received(piece) {
    if (!this.answer) return;
    // Copied out of the read buffer, which the next read reuses, only where the answer keeps it.
    if (this.answer.take(piece)) {
      const { answer, settle } = this;
      this.answer = undefined;
      this.settle = undefined;
      if (answer.closes) {
        this.socket?.destroy();
        this.socket = undefined;
      }
      settle?.resolve(answer);
    }
  }

  fail(error) {
    const { settle } = this;
    this.answer = undefined;
    this.settle = undefined;
    settle?.reject(error);
  }

  async get(url) {
    if (!this.socket) await this.open();
    const answered = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    const started = performance.now();
    this.answer = new Answer(this.body);
    this.socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: ${MEDIA}\r\n\r\n`);
    const answer = await answered;
    const ms = performance.now() - started;
    let count = -1;
    try {
      const parsed = JSON.parse(this.body.text());
      if (Array.isArray(parsed)) count = parsed.length;
    } catch {
      // not JSON: count stays -1
    }
    return { ms, status: answer.status, count };
  }
}

const connections = new Map();

function get(url) {
  const parsed = new URL(url);
  let connection = connections.get(parsed.origin);
  if (!connection) {
    connection = new Connection(parsed);
    connections.set(parsed.origin, connection);
  }
  return connection.get(parsed);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, url] = line.trim().split(/\s+/);
  let answer;
  try {
    if (command !== 'get' || !url) throw new Error(`unknown command: ${line}`);
    answer = await get(url);
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
for (const connection of connections.values()) connection.socket?.destroy();
