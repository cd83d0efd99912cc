import { BackendError, ChangeRejectedError } from '@dnsgate/plugin-sdk';

/** PowerDNS answered 401 or 403: the API key is wrong or missing. */
export class PowerDnsAuthError extends BackendError {
  readonly reason = 'api_key_rejected';
}

/** PowerDNS answered 404: the zone (or server id) does not exist. */
export class PowerDnsNotFoundError extends BackendError {
  readonly reason = 'not_found';
}

/** PowerDNS answered 422: it refused the content of a change; `detail` is its own message. */
export class PowerDnsUnprocessableError extends ChangeRejectedError {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}
