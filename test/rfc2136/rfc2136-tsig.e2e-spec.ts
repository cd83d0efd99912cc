import { BackendError, PluginConfigError } from '@dnsgate/plugin-sdk';
import { digAxfr, startBind, type BindServer, type TsigAlgorithm } from '../support/bind-server.js';
import { digShort } from '../support/run-command.js';
import { changes, createPlugin, incompleteBatch, notLanded, rfc2136Env } from './rfc2136-test-kit.js';

const ALGORITHMS: TsigAlgorithm[] = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];

describe('rfc2136 plugin against a real BIND 9: TSIG', () => {
  let bind: BindServer;

  beforeAll(async () => {
    bind = await startBind({
      zones: [
        ...ALGORITHMS.map((alg) => ({ name: `${alg}.test`, updateKeys: [`key-${alg}`] })),
        { name: 'split.test', updateKeys: ['updater'], transferKeys: ['transfer'] },
        { name: 'open.test', allowUnsigned: true },
      ],
      keys: [
        ...ALGORITHMS.map((algorithm) => ({ name: `key-${algorithm}`, algorithm })),
        { name: 'updater' },
        { name: 'transfer', algorithm: 'hmac-sha512' },
      ],
    });
  });
  afterAll(async () => bind?.dispose());

  it.each(ALGORITHMS)('signs updates and verifies transfers with %s', async (alg) => {
    const key = bind.keys[`key-${alg}`]!;
    const { plugin, driver } = createPlugin(rfc2136Env([bind], [`${alg}.test`], key));
    await plugin.start();
    await driver.applyChanges(
      changes({
        create: await driver.adjustEndpoints([
          { dnsName: `www.${alg}.test`, recordType: 'A', targets: ['192.0.2.44'] },
        ]),
      }),
    );
    expect(await driver.records({ zones: [`${alg}.test`] })).toEqual([
      { dnsName: `www.${alg}.test`, recordType: 'A', targets: ['192.0.2.44'], recordTTL: 300 },
    ]);
    expect(await digAxfr(bind, `${alg}.test`, key)).toContain(`www.${alg}.test. 300 IN A 192.0.2.44`);
  });

  it('transfers with the separate AXFR key and updates with the update key', async () => {
    const { driver } = createPlugin(
      rfc2136Env([bind], ['split.test'], bind.keys.updater, {
        DNSGATE_RFC2136_AXFR_TSIG_KEYNAME: 'transfer',
        DNSGATE_RFC2136_AXFR_TSIG_SECRET: bind.keys.transfer!.secret,
        DNSGATE_RFC2136_AXFR_TSIG_ALG: 'hmac-sha512',
      }),
    );
    await driver.applyChanges(
      changes({ create: [{ dnsName: 'x.split.test', recordType: 'TXT', targets: ['"split"'] }] }),
    );
    expect(await driver.records({ zones: ['split.test'] })).toEqual([
      { dnsName: 'x.split.test', recordType: 'TXT', targets: ['"split"'], recordTTL: 300 },
    ]);
    expect(await digAxfr(bind, 'split.test', bind.keys.transfer)).toContain('x.split.test. 300 IN TXT "split"');
    // Without the transfer key, the update key may not transfer: a clear error.
    const { driver: updaterOnlyDriver } = createPlugin(rfc2136Env([bind], ['split.test'], bind.keys.updater));
    const read = updaterOnlyDriver.records({ zones: ['split.test'] });
    await expect(read).rejects.toBeInstanceOf(BackendError);
    await expect(read).rejects.toThrow(/AXFR of split\.test with (REFUSED|NOTAUTH)/);
  });

  it('reports a wrong secret as the server rejecting the key, never showing the secret', async () => {
    const right = bind.keys['key-hmac-sha256']!;
    const wrongSecret = Buffer.alloc(32, 7).toString('base64');
    const { plugin, context, driver } = createPlugin(
      rfc2136Env([bind], ['hmac-sha256.test'], { ...right, secret: wrongSecret }),
    );
    const attempt = driver.applyChanges(
      changes({ create: [{ dnsName: 'bad.hmac-sha256.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
    );
    // The batch's check reads the zone with the same key: the server's answer is the backend's error, a 502.
    const failed = await incompleteBatch(attempt);
    expect(failed.statusCode).toBe(502);
    expect(notLanded(failed.report)).toEqual(['create A bad.hmac-sha256.test: backend']);
    expect(failed.message).toMatch(
      /BADSIG: the server rejected TSIG key "key-hmac-sha256": the signature did not verify/,
    );
    await expect(plugin.start()).rejects.toThrow(/BADSIG/);
    expect((await plugin.readiness()).ready).toBe(false);
    const everything = context.lines.map((l) => l.message).join('\n') + (await context.registry.metrics());
    expect(everything).not.toContain(wrongSecret);
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(wrongSecret);
    expect(await digShort('127.0.0.1', bind.port, 'bad.hmac-sha256.test', 'A')).toEqual([]);
  });

  it('reports an unknown key name as BADKEY', async () => {
    const { driver } = createPlugin(
      rfc2136Env([bind], ['hmac-sha256.test'], { ...bind.keys['key-hmac-sha256']!, name: 'no-such-key' }),
    );
    await expect(driver.records({ zones: ['hmac-sha256.test'] })).rejects.toThrow(
      /BADKEY: the server rejected TSIG key "no-such-key": it does not know/,
    );
  });

  it('gets REFUSED for an unsigned update to a zone that wants a key', async () => {
    const { driver } = createPlugin(
      rfc2136Env([bind], ['hmac-sha256.test'], undefined, { DNSGATE_RFC2136_INSECURE: 'true' }),
    );
    const attempt = driver.applyChanges(
      changes({ create: [{ dnsName: 'unsigned.hmac-sha256.test', recordType: 'A', targets: ['192.0.2.1'] }] }),
    );
    const failed = await incompleteBatch(attempt);
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(notLanded(failed.report)).toEqual([
      expect.stringMatching(/^create A unsigned\.hmac-sha256\.test: (refused|backend)$/),
    ]);
    expect(failed.message).toMatch(/REFUSED: the server refused it/);
    expect(await digShort('127.0.0.1', bind.port, 'unsigned.hmac-sha256.test', 'A')).toEqual([]);
  });

  it('works unsigned only when INSECURE is set explicitly', async () => {
    expect(() => createPlugin(rfc2136Env([bind], ['open.test']))).toThrow(PluginConfigError);
    const { driver } = createPlugin(rfc2136Env([bind], ['open.test'], undefined, { DNSGATE_RFC2136_INSECURE: 'true' }));
    await driver.applyChanges(
      changes({ create: [{ dnsName: 'www.open.test', recordType: 'AAAA', targets: ['2001:db8::5'] }] }),
    );
    expect(await driver.records({ zones: ['open.test'] })).toEqual([
      { dnsName: 'www.open.test', recordType: 'AAAA', targets: ['2001:db8::5'], recordTTL: 300 },
    ]);
  });
});
