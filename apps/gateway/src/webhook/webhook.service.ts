import { Injectable } from '@nestjs/common';
import { Deadline, toWireEndpoint, type Changes, type DomainFilter, type Endpoint } from '@dnsgate/plugin-sdk';
import { Backends } from '../backends/backends.service.js';
import { GatewayOptions } from '../config/gateway.options.js';
import { callBudgetMs } from '../config/load-gateway-options.js';
import { DomainScope } from '../domain-filter/domain-scope.service.js';
import { RecordsAnswer, recordsAnswer } from './records-answer.js';
import { SerialisedAhead } from './serialised-ahead.js';

/**
 * One call per webhook request: the domain scope, the call's deadline
 * (DNSGATE_REQUEST_TIMEOUT, so ExternalDNS gets a 504 it retries instead of a
 * client timeout it exits on), and the backends.
 */
@Injectable()
export class WebhookService {
  private readonly timeoutMs: number;

  constructor(
    private readonly scope: DomainScope,
    private readonly backends: Backends,
    options: GatewayOptions,
  ) {
    this.timeoutMs = callBudgetMs(options);
  }

  negotiate(): Promise<DomainFilter> {
    return this.scope.announcement();
  }

  async records(): Promise<RecordsAnswer> {
    const deadline = Deadline.in(this.timeoutMs);
    const scope = await this.scope.current();
    const ahead = new SerialisedAhead();
    const sentUnchanged = scope.zones.every((zone) => scope.includesEveryNameWithin(zone));
    const reads = await this.backends.records(scope.zones, deadline, { early: ahead, sentUnchanged });
    return recordsAnswer(reads, scope, (endpoints, within) => this.scope.filterEndpoints(endpoints, within), ahead);
  }

  /** Resolves when every in-scope change landed; else throws the 5xx naming each that did not. */
  async applyChanges(changes: Changes): Promise<void> {
    const deadline = Deadline.in(this.timeoutMs);
    const scope = await this.scope.current();
    await this.backends.apply(this.scope.filterChanges(changes, scope), scope.zones, deadline);
  }

  async adjustEndpoints(endpoints: Endpoint[]): Promise<Endpoint[]> {
    const scope = await this.scope.current();
    const adjusted = await this.backends.adjust(this.scope.filterDesired(endpoints, scope), scope.zones);
    return adjusted.map(toWireEndpoint);
  }
}
