import {
  Injectable,
  NotAcceptableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { WEBHOOK_MEDIA_ESSENCE, WEBHOOK_MEDIA_TYPE, WEBHOOK_MEDIA_VERSION } from '@dnsgate/plugin-sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ChunksWrittenAtOnce, JsonArrayStream } from './json-array.stream.js';
import { RecordsAnswer } from './records-answer.js';

/** Lists longer than this are streamed (see JsonArrayStream); shorter answers go out in one piece, with a Content-Length. */
export const STREAM_LISTS_ABOVE = 2000;

/**
 * Content negotiation for the webhook routes. Refuses an `Accept` it cannot
 * serve with 406, and sends every JSON answer as bytes (a Buffer, or a stream
 * for a long list) with the media type set by hand: Fastify rewrites a
 * JSON-ish Content-Type of a string or object payload (adding quotes and a
 * charset), and ExternalDNS compares the header byte for byte.
 */
@Injectable()
export class NegotiationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!acceptsWebhookMediaType(request.headers.accept)) {
      throw new NotAcceptableException({
        error: 'Not Acceptable',
        message: `cannot answer with ${JSON.stringify(request.headers.accept)}; this server speaks ${WEBHOOK_MEDIA_TYPE}`,
        supported: [WEBHOOK_MEDIA_TYPE],
      });
    }
    return next.handle().pipe(
      map((body: unknown) => {
        if (body === undefined) return undefined;
        reply.header('content-type', WEBHOOK_MEDIA_TYPE);
        if (body instanceof RecordsAnswer) {
          if (body.unserialisedCount > STREAM_LISTS_ABOVE) return new JsonArrayStream(body.parts);
          // Serialised parts go out as the chunks they are, at once (see ChunksWrittenAtOnce).
          const answer = new ChunksWrittenAtOnce(body.toChunks());
          reply.header('content-length', String(answer.byteLength));
          return answer;
        }
        if (Array.isArray(body) && body.length > STREAM_LISTS_ABOVE) return new JsonArrayStream([body]);
        return Buffer.from(JSON.stringify(body));
      }),
    );
  }
}

/**
 * True for a missing header, `*\/*`, `application/*`, and the media type
 * with `version=1` or no version, unless its `q` is 0.
 */
export function acceptsWebhookMediaType(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [typePart, ...parameterParts] = range.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    const parameters = new Map(
      parameterParts.map((part) => {
        const [key, value] = part.split('=');
        return [(key ?? '').trim().toLowerCase(), (value ?? '').trim().replace(/^"(.*)"$/, '$1')] as const;
      }),
    );
    if (parameters.get('q') !== undefined && Number(parameters.get('q')) === 0) return false;
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== WEBHOOK_MEDIA_ESSENCE) return false;
    const version = parameters.get('version');
    return version === undefined || version === WEBHOOK_MEDIA_VERSION;
  });
}
