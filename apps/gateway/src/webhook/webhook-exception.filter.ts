import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BatchIncompleteError, isDnsgateError } from '@dnsgate/plugin-sdk';
import { WireValidationError } from '@dnsgate/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SecretRedactor } from '../logging/secret-redactor.js';

/**
 * The one place failures become status codes. ExternalDNS retries a 500–510
 * at its next reconcile and exits on anything else, so: a malformed body is
 * a 400 (ExternalDNS never sends one), every plugin and backend failure is a
 * 5xx chosen by the SDK error type, and anything unexpected is a 500.
 */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Webhook');

  constructor(private readonly redactor: SecretRedactor) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, body } = this.describe(exception);
    // A batch that did not land whole was logged by its backend instance, one line naming each change.
    if (exception instanceof BatchIncompleteError) this.logger.debug(body.message);
    else if (status >= 500) this.logger.error(body.message);
    else this.logger.warn(`${status}: ${body.message}`);
    void reply
      .status(status)
      .header('content-type', contentTypeFor(request, body.message))
      .send(Buffer.from(JSON.stringify(body)));
  }

  private describe(exception: unknown): {
    status: number;
    body: { error: string; message: string; [key: string]: unknown };
  } {
    if (exception instanceof WireValidationError) {
      return {
        status: 400,
        body: {
          error: 'Bad Request',
          message: exception.message,
          problems: exception.problems,
          ...(exception.undescribed > 0 ? { moreInvalidEndpoints: exception.undescribed } : {}),
        },
      };
    }
    if (exception instanceof BatchIncompleteError) {
      // The changes that did not land, named: ExternalDNS logs the body of a failed call.
      return {
        status: exception.statusCode,
        body: {
          error: exception.kind,
          message: this.redactor.redact(exception.message),
          ...JSON.parse(this.redactor.redact(JSON.stringify(exception.report))),
        },
      };
    }
    if (isDnsgateError(exception)) {
      return {
        status: exception.statusCode,
        body: { error: exception.kind, message: this.redactor.redact(exception.message) },
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body =
        typeof response === 'object' && response !== null
          ? { error: exception.name, message: exception.message, ...(response as object) }
          : { error: exception.name, message: String(response) };
      return { status: exception.getStatus(), body: { ...body, message: this.redactor.redact(String(body.message)) } };
    }
    if (isFastifyClientError(exception)) {
      // Body parser rejections (empty, not JSON, too large, unsupported type) arrive here from Fastify.
      return { status: exception.statusCode, body: { error: 'Bad Request', message: exception.message } };
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: 'internal', message: this.redactor.redact(`unexpected error: ${message}`) },
    };
  }
}

/**
 * ExternalDNS does not retry a failed negotiation: it decodes the body, then
 * stops with "wrong content type returned from server: <Content-Type>" and
 * prints nothing else. So a failed `GET /` carries its reason in the
 * Content-Type (printable ASCII, no quotes), where the operator will read it.
 */
function contentTypeFor(request: FastifyRequest | undefined, message: string): string {
  const path = request?.url.split('?')[0];
  if (request?.method !== 'GET' || (path !== '/' && path !== '')) return 'application/json';
  const reason = message.replace(/[^\x20-\x7e]|["\\]/g, '?').slice(0, 300);
  return `application/json;error="dnsgate cannot negotiate yet: ${reason}"`;
}

function isFastifyClientError(error: unknown): error is Error & { statusCode: number } {
  const status = (error as { statusCode?: unknown }).statusCode;
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}
