import { createServer, type Server, type Socket } from 'node:net';
import { BackendTimeoutError, BackendUnavailableError, type DnsgateError } from '@dnsgate/plugin-sdk';
import { freePort } from '../support/free-port.js';
import { startBind, type BindServer } from '../support/bind-server.js';
import { digShort } from '../support/run-command.js';
import { changes, createPlugin, incompleteBatch, notLanded, rfc2136Env } from './rfc2136-test-kit.js';

describe('rfc2136 plugin against real BIND 9 servers: several hosts and failures', () => {
  let first: BindServer;
  let second: BindServer;

  beforeEach(async () => {
    first = await startBind({ zones: [{ name: 'ha.test', updateKeys: ['k'] }], keys: [{ name: 'k' }] });
    second = await startBind({ zones: [{ name: 'ha.test', updateKeys: ['k'] }], reuseKeys: [first.keys.k!] });
  });
  afterEach(async () => {
    await first?.dispose();
    await second?.dispose();
  });

  it('answers with a 5xx-class error when the only server is stopped, and readiness says why', async () => {
    const { plugin, driver } = createPlugin(rfc2136Env([first], ['ha.test'], first.keys.k));
    await plugin.start();
    expect(await plugin.readiness()).toEqual({ ready: true });
    await first.stop();
    const read = driver.records({ zones: ['ha.test'] });
    await expect(read).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(((await read.catch((e) => e)) as DnsgateError).statusCode).toBe(503);
    const write = driver.applyChanges(
      changes({ create: [{ dnsName: 'x.ha.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
    );
    const failed = await incompleteBatch(write);
    expect(failed.statusCode).toBe(503);
    expect(notLanded(failed.report)).toEqual(['create A x.ha.test: unavailable']);
    expect(failed.message).toMatch(/1 of 1 changes did not land \(0 applied\): create A x\.ha\.test.*ECONNREFUSED/);
    const readiness = await plugin.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.ready === false && readiness.reason).toMatch(/no server could be reached/);
  });

  it('turns ready again by itself once the server is back, without waiting for a read or a write', async () => {
    const { plugin, driver } = createPlugin(rfc2136Env([first], ['ha.test'], first.keys.k));
    await plugin.start();
    await first.stop();
    await expect(driver.records({ zones: ['ha.test'] })).rejects.toBeInstanceOf(BackendUnavailableError);
    expect((await plugin.readiness()).ready).toBe(false);
    const back = await startBind({
      zones: [{ name: 'ha.test', updateKeys: ['k'] }],
      reuseKeys: [first.keys.k!],
      port: first.port,
    });
    try {
      const deadline = Date.now() + 5_000;
      while (!(await plugin.readiness()).ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await plugin.readiness()).toEqual({ ready: true });
      // A stopped plugin stays stopped.
      await plugin.stop();
      await new Promise((r) => setTimeout(r, 1_100));
      await plugin.readiness();
      await new Promise((r) => setTimeout(r, 200));
      expect(await plugin.readiness()).toEqual({ ready: false, reason: 'stopped' });
    } finally {
      await back.dispose();
    }
  });

  it('fails over to the second host when the first is down, for reads and writes', async () => {
    const { plugin, context, driver } = createPlugin(rfc2136Env([first, second], ['ha.test'], first.keys.k));
    await first.stop();
    await plugin.start();
    await driver.applyChanges(
      changes({ create: [{ dnsName: 'fo.ha.test', recordType: 'A', targets: ['192.0.2.8'] }] }),
    );
    expect(await digShort('127.0.0.1', second.port, 'fo.ha.test', 'A')).toEqual(['192.0.2.8']);
    expect(await driver.records({ zones: ['ha.test'] })).toEqual([
      { dnsName: 'fo.ha.test', recordType: 'A', targets: ['192.0.2.8'], recordTTL: 300 },
    ]);
    const metrics = await context.registry.getSingleMetricAsString('dnsgate_rfc2136_requests_total');
    expect(metrics).toContain(`server="${first.address}",outcome="unavailable"`);
    expect(metrics).toMatch(new RegExp(`operation="update",server="${second.address}",outcome="ok"} 1`));
  });

  it('spreads reads over the hosts with round-robin', async () => {
    const { context, driver } = createPlugin(
      rfc2136Env([first, second], ['ha.test'], first.keys.k, { DNSGATE_RFC2136_LOAD_BALANCING: 'round-robin' }),
    );
    for (let i = 0; i < 4; i++) await driver.records({ zones: ['ha.test'] });
    const metrics = await context.registry.getSingleMetricAsString('dnsgate_rfc2136_requests_total');
    expect(metrics).toMatch(new RegExp(`operation="axfr",server="${first.address}",outcome="ok"} 2`));
    expect(metrics).toMatch(new RegExp(`operation="axfr",server="${second.address}",outcome="ok"} 2`));
  });

  it('uses random order over live hosts with random', async () => {
    const { context, driver } = createPlugin(
      rfc2136Env([first, second], ['ha.test'], first.keys.k, { DNSGATE_RFC2136_LOAD_BALANCING: 'random' }),
    );
    for (let i = 0; i < 20; i++) await driver.records({ zones: ['ha.test'] });
    const metrics = await context.registry.getSingleMetricAsString('dnsgate_rfc2136_requests_total');
    expect(metrics).toContain(`operation="axfr",server="${first.address}",outcome="ok"`);
    expect(metrics).toContain(`operation="axfr",server="${second.address}",outcome="ok"`);
  });

  it('times out a server that accepts connections but never answers, then takes the next', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const only = createPlugin(
        rfc2136Env([`127.0.0.1:${port}`], ['ha.test'], first.keys.k, { DNSGATE_RFC2136_TIMEOUT: '0.3' }),
      );
      const started = Date.now();
      const read = only.driver.records({ zones: ['ha.test'] });
      await expect(read).rejects.toBeInstanceOf(BackendTimeoutError);
      expect(((await read.catch((e) => e)) as DnsgateError).statusCode).toBe(504);
      expect(Date.now() - started).toBeLessThan(3000);
      const write = await incompleteBatch(
        only.driver.applyChanges(
          changes({ create: [{ dnsName: 'never.ha.test', recordType: 'A', targets: ['192.0.2.9'] }] }),
        ),
      );
      expect(write.statusCode).toBe(504);
      expect(notLanded(write.report)).toEqual(['create A never.ha.test: timeout']);
      // The call's deadline caps TIMEOUT: the answer comes when the call's budget is spent, not TIMEOUT later.
      const patient = createPlugin(
        rfc2136Env([`127.0.0.1:${port}`], ['ha.test'], first.keys.k, { DNSGATE_RFC2136_TIMEOUT: '30' }),
      );
      const began = Date.now();
      const late = await patient.driver.applyReport(
        changes({ create: [{ dnsName: 'late.ha.test', recordType: 'A', targets: ['192.0.2.9'] }] }),
        { budgetMs: 400 },
      );
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(late.statusCode()).toBe(504);
      expect(notLanded(late)).toEqual([expect.stringMatching(/^create A late\.ha\.test: (deadline|timeout)$/)]);
      await expect(patient.driver.records({ zones: ['ha.test'] }, { budgetMs: 400 })).rejects.toMatchObject({
        statusCode: 504,
      });
      const both = createPlugin(
        rfc2136Env([`127.0.0.1:${port}`, first.address], ['ha.test'], first.keys.k, { DNSGATE_RFC2136_TIMEOUT: '0.3' }),
      );
      await both.driver.applyChanges(
        changes({ create: [{ dnsName: 'slow.ha.test', recordType: 'A', targets: ['192.0.2.9'] }] }),
      );
      expect(await digShort('127.0.0.1', first.port, 'slow.ha.test', 'A')).toEqual(['192.0.2.9']);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
