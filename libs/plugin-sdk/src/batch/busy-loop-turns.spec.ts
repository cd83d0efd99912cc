import { describe, expect, it } from '@jest/globals';
import { createServer, connect, type AddressInfo } from 'node:net';
import { BusyLoopTurns, nextTurn } from './busy-loop-turns.js';

describe('BusyLoopTurns', () => {
  it('answers a turn every `every` steps and nothing in between', () => {
    const turns = new BusyLoopTurns(3);
    const given = Array.from({ length: 9 }, () => turns.step() !== undefined);
    expect(given).toEqual([false, false, true, false, false, true, false, false, true]);
  });

  it('says a turn is due every `every` steps, counting with step() alike', () => {
    const turns = new BusyLoopTurns(2);
    expect([turns.due(), turns.due(), turns.step() !== undefined, turns.due(), turns.due()]).toEqual([
      false,
      true,
      false,
      true,
      false,
    ]);
  });

  it('refuses a count below 1', () => {
    expect(() => new BusyLoopTurns(0)).toThrow(RangeError);
    expect(() => new BusyLoopTurns(Number.NaN)).toThrow(RangeError);
  });

  it('lets a loopback round trip started before a busy loop finish during it', async () => {
    const server = createServer((socket) => socket.on('data', (data) => socket.end(data)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      let answered = false;
      const socket = connect(port, '127.0.0.1', () => socket.write('ping'));
      socket.on('data', () => (answered = true));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      // Synchronous steps with a turn every 10: connecting, writing and reading each take a turn.
      const turns = new BusyLoopTurns(10);
      let steps = 0;
      while (!answered && steps < 100_000) {
        steps++;
        const turn = turns.step();
        if (turn) await turn;
      }
      expect(answered).toBe(true);
      expect(steps).toBeLessThan(100_000);
      await closed;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('nextTurn', () => {
  it('resolves after I/O and immediates already queued', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await nextTurn();
    order.push('after');
    expect(order).toEqual(['immediate', 'after']);
  });
});
