import { HostSelector, parseHost } from './host-selector.js';

describe('servers: parsing and selection', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 53],
    ['127.0.0.1:5353', '127.0.0.1', 5353],
    ['ns1.example.com:53', 'ns1.example.com', 53],
    ['::1', '::1', 53],
    ['[::1]:5300', '::1', 5300],
  ])('parses %s', (text, host, port) => {
    expect(parseHost(text)).toMatchObject({ host, port });
  });

  it.each(['', '127.0.0.1:0', '127.0.0.1:70000', '[nope]:53', 'a b'])('refuses %j', (text) => {
    expect(parseHost(text)).toBeUndefined();
  });

  const hosts = ['a:1', 'b:1', 'c:1'].map((h) => parseHost(h)!);
  const names = (selector: HostSelector) =>
    selector
      .order()
      .map((h) => h.host)
      .join('');

  it('failover always starts with the first host', () => {
    const selector = new HostSelector(hosts, 'failover');
    expect([names(selector), names(selector)]).toEqual(['abc', 'abc']);
  });

  it('round-robin starts with the next host each time, falling back to the others', () => {
    const selector = new HostSelector(hosts, 'round-robin');
    expect([names(selector), names(selector), names(selector), names(selector)]).toEqual(['abc', 'bca', 'cab', 'abc']);
  });

  it('random starts anywhere', () => {
    const values = [0.9, 0.1, 0.5];
    const selector = new HostSelector(hosts, 'random', () => values.shift()!);
    expect([names(selector), names(selector), names(selector)]).toEqual(['cab', 'abc', 'bca']);
  });
});
