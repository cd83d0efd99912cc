import { startGateway } from '../support/gateway.js';
import { MemoryPluginFactory, MemoryPluginModule } from '../support/memory-plugin.js';

describe('graceful shutdown', () => {
  it('finishes a change in flight, then stops the plugin and refuses new connections', async () => {
    const gateway = await startGateway({ env: { DNSGATE_PLUGIN: 'memory' }, plugins: [MemoryPluginModule] });
    const plugin = gateway.app.get(MemoryPluginFactory).instances.at(-1)!;
    plugin.applyDelayMs = 500;

    const inFlight = gateway.webhook('/records', {
      body: { create: [{ dnsName: 'late.example.com', targets: ['192.0.2.7'], recordType: 'A' }] },
    });
    // Let the request reach the plugin before the shutdown starts.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = gateway.close();

    expect((await inFlight).status).toBe(204);
    await closing;
    expect([...plugin.store.values()].map((e) => e.dnsName)).toEqual(['late.example.com']);
    expect(plugin.stopped).toBe(true);
    await expect(fetch(`${gateway.webhookUrl}/`)).rejects.toThrow();
  });
});
