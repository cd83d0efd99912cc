import { All, BadRequestException, Body, Controller, Get, HttpCode, Post, Req, UseInterceptors } from '@nestjs/common';
import type { Changes, DomainFilter, Endpoint } from '@dnsgate/plugin-sdk';
import type { FastifyRequest } from 'fastify';
import { NegotiationInterceptor } from './negotiation.interceptor.js';
import type { RecordsAnswer } from './records-answer.js';
import { ChangesBodyPipe, EndpointsBodyPipe } from './webhook-body.pipes.js';
import { WebhookService } from './webhook.service.js';

const KNOWN_ROUTES = new Map([
  ['/records', 'GET and POST'],
  ['/adjustendpoints', 'POST'],
]);

/** The four calls of the ExternalDNS webhook protocol (see the protocol doc in shared/docs). */
@Controller()
@UseInterceptors(NegotiationInterceptor)
export class WebhookController {
  constructor(private readonly webhook: WebhookService) {}

  /** Negotiation: ExternalDNS calls it once at start and caches the filter for its lifetime. */
  @Get()
  negotiate(): Promise<DomainFilter> {
    return this.webhook.negotiate();
  }

  @Get('records')
  records(): Promise<RecordsAnswer> {
    return this.webhook.records();
  }

  /** 204 and no body: ExternalDNS counts a 200 or 201 here as a failure. */
  @Post('records')
  @HttpCode(204)
  applyChanges(@Body(ChangesBodyPipe) changes: Changes): Promise<void> {
    return this.webhook.applyChanges(changes);
  }

  @Post('adjustendpoints')
  @HttpCode(200)
  adjustEndpoints(@Body(EndpointsBodyPipe) endpoints: Endpoint[]): Promise<Endpoint[]> {
    return this.webhook.adjustEndpoints(endpoints);
  }

  /**
   * Like ExternalDNS's own Go server: a wrong method on a known route is a
   * 400 (not 405), and any other path gets the negotiation answer.
   */
  @All('*')
  otherPaths(@Req() request: FastifyRequest): Promise<DomainFilter> {
    const path = request.url.split('?')[0]!.replace(/\/+$/, '');
    const allowed = KNOWN_ROUTES.get(path);
    if (allowed) throw new BadRequestException(`${request.method} is not allowed on ${path}; use ${allowed}`);
    return this.webhook.negotiate();
  }
}
