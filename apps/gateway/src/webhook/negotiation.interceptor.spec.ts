import { acceptsWebhookMediaType, encodeJson } from './negotiation.interceptor.js';

describe('acceptsWebhookMediaType', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['*/*', true],
    ['application/*', true],
    ['application/external.dns.webhook+json;version=1', true],
    ['application/external.dns.webhook+json; version="1"', true],
    ['text/html, application/external.dns.webhook+json;version=1', true],
    ['application/external.dns.webhook+json;version=2', false],
    ['application/external.dns.webhook+json;version=1;q=0', false],
    ['text/html', false],
  ])('Accept %p → %p', (accept, expected) => {
    expect(acceptsWebhookMediaType(accept)).toBe(expected);
  });
});

describe('encodeJson', () => {
  it.each([
    ['ASCII', '[{"dnsName":"www.example.org","targets":["\\"v=spf1 -all\\""]}]'],
    ['Latin-1 characters', '{"t":"café ÿ"}'],
    ['characters beyond Latin-1', '{"t":"bücher.ελ Ł"}'],
    ['a surrogate pair', '{"t":"😀"}'],
    ['an empty text', ''],
  ])('gives the UTF-8 bytes of %s', (_what, text) => {
    expect(encodeJson(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
