export { startDnsgate, type RunningDnsgate, type StartOptions } from './bootstrap.js';
export { GatewayOptions } from './config/gateway.options.js';
export { acceptsWebhookMediaType } from './webhook/negotiation.interceptor.js';
