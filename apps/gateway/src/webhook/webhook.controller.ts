import { All, BadRequestException, Body, Controller, Get, HttpCode, Post, Req, UseInterceptors } from '@nestjs/common';
import { toWireEndpoint, type Changes, type DomainFilter, type Endpoint } from '@dnsgate/plugin-sdk';
import type { FastifyRequest } from 'fastify';
import { DomainScope } from '../domain-filter/domain-scope.service.js';
import { PluginHost } from '../plugins/plugin-host.service.js';
import { NegotiationInterceptor } from './negotiation.interceptor.js';
import { ChangesBodyPipe, EndpointsBodyPipe } from './webhook-body.pipes.js';

const KNOWN_ROUTES = new Map([
  ['/records', 'GET and POST'],
  ['/adjustendpoints', 'POST'],
]);

/** The four calls of the ExternalDNS webhook protocol (see the protocol doc in shared/docs). */
@Controller()
@UseInterceptors(NegotiationInterceptor)
export class WebhookController {
  constructor(
    private readonly scope: DomainScope,
    private readonly plugin: PluginHost,
  ) {}

  /** Negotiation: ExternalDNS calls it once at start and caches the filter for its lifetime. */
  @Get()
  negotiate(): Promise<DomainFilter> {
    return this.scope.announcement();
  }

  @Get('records')
  async records(): Promise<Endpoint[]> {
    const scope = await this.scope.current();
    const endpoints = await this.plugin.records({ zones: scope.zones });
    return this.scope.filterEndpoints(endpoints, scope).map(toWireEndpoint);
  }

  /** 204 and no body: ExternalDNS counts a 200 or 201 here as a failure. */
  @Post('records')
  @HttpCode(204)
  async applyChanges(@Body(ChangesBodyPipe) changes: Changes): Promise<void> {
    const scope = await this.scope.current();
    await this.plugin.applyChanges(this.scope.filterChanges(changes, scope));
  }

  @Post('adjustendpoints')
  @HttpCode(200)
  async adjustEndpoints(@Body(EndpointsBodyPipe) endpoints: Endpoint[]): Promise<Endpoint[]> {
    const scope = await this.scope.current();
    const adjusted = await this.plugin.adjustEndpoints(this.scope.filterDesired(endpoints, scope));
    return adjusted.map(toWireEndpoint);
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
    return this.scope.announcement();
  }
}
