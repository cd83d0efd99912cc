/**
 * The webhook media type, byte for byte as ExternalDNS compares it: no space
 * after `;`, no quotes, no charset. Any other spelling on `GET /` makes
 * ExternalDNS refuse to start.
 */
export const WEBHOOK_MEDIA_TYPE = 'application/external.dns.webhook+json;version=1';

/** The media type without its parameters, for matching `Accept` and `Content-Type`. */
export const WEBHOOK_MEDIA_ESSENCE = 'application/external.dns.webhook+json';

export const WEBHOOK_MEDIA_VERSION = '1';

/** Newer ExternalDNS clients cap bodies at 32 MiB; we accept as much. */
export const WEBHOOK_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
