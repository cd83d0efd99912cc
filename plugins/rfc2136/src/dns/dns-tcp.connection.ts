import { Socket, connect } from 'node:net';

/** The connection could not be made or broke. */
export class DnsConnectionError extends Error {
  override readonly name = 'DnsConnectionError';
}

/** No answer within the time budget. */
export class DnsTimeoutError extends Error {
  // Typed string, not the literal: a subclass names itself (UnverifiedUdpAnswersError).
  override readonly name: string = 'DnsTimeoutError';
}

interface Waiter {
  resolve: (message: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message is preceded by its
 * length as two bytes. Bytes arrive in arbitrary chunks; this reassembles
 * them into whole messages and hands them out in order.
 */
export class DnsTcpConnection {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly messages: Buffer[] = [];
  private readonly waiters: Waiter[] = [];
  private failure?: Error;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) =>
      this.fail(new DnsConnectionError(`connection to ${address} failed: ${describe(error)}`)),
    );
    socket.on('close', () => this.fail(new DnsConnectionError(`connection to ${address} closed by the server`)));
  }

  /** Connects within `timeoutMs`. Throws DnsConnectionError or DnsTimeoutError. */
  static open(host: string, port: number, timeoutMs: number): Promise<DnsTcpConnection> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DnsTimeoutError(`no TCP connection to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DnsConnectionError(`cannot connect to ${address}: ${describe(error)}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new DnsTcpConnection(socket, address));
      });
    });
  }

  get isOpen(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  /** Sends one message, framed. */
  send(message: Buffer): void {
    if (this.failure) throw this.failure;
    if (message.length > 0xffff)
      throw new RangeError(`a DNS message over TCP is at most 65535 bytes, this one is ${message.length}`);
    const frame = Buffer.allocUnsafe(message.length + 2);
    frame.writeUInt16BE(message.length, 0);
    message.copy(frame, 2);
    this.socket.write(frame);
  }

  /** Sends a message already framed (its length in its first two bytes), without copying it. */
  sendFramed(frame: Buffer): void {
    if (this.failure) throw this.failure;
    if (frame.length < 2 || frame.readUInt16BE(0) !== frame.length - 2)
      throw new RangeError('a framed DNS message starts with its length, and is at most 65535 bytes');
    this.socket.write(frame);
  }

  /** The next whole message; rejects after `timeoutMs` without one. */
  receive(timeoutMs: number): Promise<Buffer> {
    const ready = this.messages.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new DnsTimeoutError(`no answer from ${this.address} within ${timeoutMs} ms`));
          // The stream position is now unknown: this connection cannot be reused.
          this.close();
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.pendingBytes < 2) return;
      let head = this.pending[0]!;
      if (head.length < 2) {
        head = Buffer.concat(this.pending);
        this.pending = [head];
      }
      const length = head.readUInt16BE(0);
      if (this.pendingBytes < length + 2) return;
      const all = this.pending.length === 1 ? head : Buffer.concat(this.pending, this.pendingBytes);
      const message = all.subarray(2, 2 + length);
      const rest = all.subarray(2 + length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.deliver(message);
    }
  }

  private deliver(message: Buffer): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    } else {
      this.messages.push(message);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? error.message;
}
