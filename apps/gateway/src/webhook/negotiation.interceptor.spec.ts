import { acceptsWebhookMediaType } from './negotiation.interceptor.js';

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
