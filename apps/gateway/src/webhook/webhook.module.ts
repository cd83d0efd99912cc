import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DomainScope } from '../domain-filter/domain-scope.service.js';
import { NegotiationInterceptor } from './negotiation.interceptor.js';
import { WebhookController } from './webhook.controller.js';
import { WebhookService } from './webhook.service.js';
import { WebhookExceptionFilter } from './webhook-exception.filter.js';

/** The webhook API ExternalDNS talks to, all four routes in one module. */
@Module({
  controllers: [WebhookController],
  // Global, so that body parser rejections raised before any route runs are answered alike.
  providers: [
    DomainScope,
    WebhookService,
    NegotiationInterceptor,
    { provide: APP_FILTER, useClass: WebhookExceptionFilter },
  ],
})
export class WebhookModule {}
