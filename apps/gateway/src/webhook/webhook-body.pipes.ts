import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { parseChangesBody, parseEndpointsBody, type Changes, type Endpoint } from '@dnsgate/protocol';

/** A POST with no body at all is malformed; the JSON literal `null` is not. */
function requireBody(body: unknown): unknown {
  if (body === undefined) throw new BadRequestException('the request body is missing; send JSON (null for none)');
  return body;
}

/**
 * `POST /records`: Changes in either key spelling, validated with the
 * EndpointDto rules; a WireValidationError names each bad field and becomes a 400.
 */
@Injectable()
export class ChangesBodyPipe implements PipeTransform<unknown, Changes> {
  transform(body: unknown): Changes {
    return parseChangesBody(requireBody(body));
  }
}

/** `POST /adjustendpoints`: an array of Endpoint, or null. */
@Injectable()
export class EndpointsBodyPipe implements PipeTransform<unknown, Endpoint[]> {
  transform(body: unknown): Endpoint[] {
    return parseEndpointsBody(requireBody(body));
  }
}
