import { startDnsgate } from '@dnsgate/gateway';
import { ConfigError, DnsgatePlugin, createPluginModule } from '@dnsgate/plugin-sdk';
import { MemoryPluginModule } from '../support/memory-plugin.js';

const base = {
  DNSGATE_WEBHOOK_PORT: '0',
  DNSGATE_HEALTH_PORT: '0',
  DNSGATE_HEALTH_HOST: '127.0.0.1',
  DNSGATE_LOG_LEVEL: 'error',
};

async function bootError(env: Record<string, string>): Promise<Error> {
  try {
    const running = await startDnsgate({ env: { ...base, ...env }, plugins: [MemoryPluginModule] });
    await running.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the boot to fail');
}

describe('boot-time configuration errors', () => {
  it('stops on an unknown plugin, listing the plugins available', async () => {
    const error = await bootError({ DNSGATE_PLUGIN: 'nosuch' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('DNSGATE_PLUGIN: no plugin named "nosuch"');
    expect(error.message).toContain('memory (records in memory, for gateway tests)');
  });

  it('stops on a bad plugin option, naming the variable', async () => {
    const error = await bootError({
      DNSGATE_PLUGIN: 'memory',
      DNSGATE_MEMORY_TOKEN: 'abcd',
      DNSGATE_MEMORY_TOKEN_FILE: '/nonexistent',
    });
    expect(error.message).toContain('DNSGATE_MEMORY_TOKEN and DNSGATE_MEMORY_TOKEN_FILE are both set');
    expect(error.message).not.toContain('abcd');
  });

  it('stops on a bad gateway setting, naming the variable', async () => {
    const error = await bootError({ DNSGATE_WEBHOOK_PORT: '70000', DNSGATE_LOG_LEVEL: 'loud' });
    expect(error.message).toContain('DNSGATE_WEBHOOK_PORT');
    expect(error.message).toContain('DNSGATE_LOG_LEVEL');
  });

  it('refuses two different plugins registered under one name', async () => {
    @DnsgatePlugin({ name: 'memory', description: 'an impostor' })
    class ImpostorFactory {
      create(): never {
        throw new Error('never created');
      }
    }
    let error: Error | undefined;
    try {
      const running = await startDnsgate({
        env: { ...base, DNSGATE_PLUGIN: 'memory' },
        plugins: [MemoryPluginModule, createPluginModule(ImpostorFactory)],
      });
      await running.close();
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('two plugins are named "memory": MemoryPluginFactory and ImpostorFactory');
  });

  it('stops on a domain filter that mixes lists and regexes', async () => {
    const error = await bootError({
      DNSGATE_PLUGIN: 'memory',
      DNSGATE_DOMAIN_FILTER: 'a.com',
      DNSGATE_REGEX_DOMAIN_FILTER: 'a',
    });
    expect(error.message).toContain('either domain lists or regular expressions');
  });
});

describe('domain filter announcement', () => {
  it('intersects the configured filter with the plugin zones and keeps exclusions', async () => {
    const running = await startDnsgate({
      env: {
        ...base,
        DNSGATE_PLUGIN: 'memory',
        DNSGATE_MEMORY_ZONES: 'example.com,example.org,other.net',
        DNSGATE_DOMAIN_FILTER: 'app.example.com,example.org,net',
        DNSGATE_EXCLUDE_DOMAINS: 'dev.example.org',
      },
      plugins: [MemoryPluginModule],
    });
    try {
      await running.backends.whenStarted(5000);
      const response = await fetch(`${running.webhookUrl}/`);
      expect(await response.json()).toEqual({
        include: ['app.example.com', 'example.org', 'other.net'],
        exclude: ['dev.example.org'],
      });
    } finally {
      await running.close();
    }
  });
});
