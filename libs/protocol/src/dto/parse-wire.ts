import 'reflect-metadata';
import { validateSync, type ValidationError } from 'class-validator';
import type { Changes } from '../changes.js';
import type { Endpoint } from '../endpoint.js';
import { ENDPOINT_KEYS, EndpointDto, PROVIDER_SPECIFIC_KEYS, ProviderSpecificPropertyDto } from './endpoint.dto.js';
import { passesEndpointRulesQuickly } from './endpoint-quick-check.js';
import { canonicalizeKeys } from './wire-keys.js';

/** The keys of Changes; each list is validated endpoint by endpoint with EndpointDto. */
export const CHANGES_KEYS = ['create', 'updateOld', 'updateNew', 'delete'] as const;

/** A request body that is not what the protocol allows; its message names the field. */
export class WireValidationError extends Error {
  override readonly name = 'WireValidationError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** The body of `POST /adjustendpoints`: an array of Endpoint, or `null`. */
export function parseEndpointsBody(body: unknown): Endpoint[] {
  if (body === null) return [];
  if (!Array.isArray(body)) throw new WireValidationError(['the body must be a JSON array of endpoints or null']);
  return parseEndpointList(body, '');
}

/** The body of `POST /records`: Changes in either key spelling, or `null`. */
export function parseChangesBody(body: unknown): Changes {
  if (body === null) return { create: [], updateOld: [], updateNew: [], delete: [] };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new WireValidationError(['the body must be a JSON object of changes or null']);
  }
  const raw = canonicalizeKeys(body, CHANGES_KEYS) as Record<string, unknown>;
  const problems: string[] = [];
  const lists = {} as Record<(typeof CHANGES_KEYS)[number], Endpoint[]>;
  for (const key of CHANGES_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null) {
      lists[key] = [];
    } else if (!Array.isArray(value)) {
      problems.push(`${key} must be an array of endpoints or null`);
      lists[key] = [];
    } else {
      try {
        lists[key] = parseEndpointList(value, key);
      } catch (error) {
        if (!(error instanceof WireValidationError)) throw error;
        problems.push(...error.problems);
        lists[key] = [];
      }
    }
  }
  if (problems.length === 0 && lists.updateOld.length !== lists.updateNew.length) {
    problems.push(
      `updateOld has ${lists.updateOld.length} endpoints but updateNew has ${lists.updateNew.length}; they are paired by position`,
    );
  }
  if (problems.length > 0) throw new WireValidationError(problems);
  return lists;
}

function parseEndpointList(items: unknown[], path: string): Endpoint[] {
  const problems: string[] = [];
  const endpoints: Endpoint[] = [];
  items.forEach((raw, index) => {
    const item = canonicalizeEndpoint(raw);
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${path}[${index}] must be an endpoint object`);
      return;
    }
    // The usual endpoint passes the quick check as the plain object it is;
    // only one that fails it becomes a DTO, for class-validator to name the field.
    if (!passesEndpointRulesQuickly(item as EndpointDto)) {
      const dto = toEndpointDto(item as Record<string, unknown>);
      const errors = validateSync(dto, { forbidUnknownValues: false });
      if (errors.length > 0) {
        problems.push(...flattenErrors(errors, `${path}[${index}]`));
        return;
      }
    }
    endpoints.push(toEndpoint(item as EndpointDto));
  });
  if (problems.length > 0) throw new WireValidationError(problems);
  return endpoints;
}

/**
 * The DTO instance class-validator checks. The canonicalised object is
 * already a fresh copy, so it is adopted as the instance rather than copied
 * again by class-transformer, which tripled the cost of a 10k-endpoint body.
 */
function toEndpointDto(item: Record<string, unknown>): EndpointDto {
  const dto = Object.setPrototypeOf(item, EndpointDto.prototype) as EndpointDto;
  if (Array.isArray(dto.providerSpecific)) {
    dto.providerSpecific = dto.providerSpecific.map((property: unknown) =>
      property !== null && typeof property === 'object'
        ? (Object.setPrototypeOf(property, ProviderSpecificPropertyDto.prototype) as ProviderSpecificPropertyDto)
        : (property as ProviderSpecificPropertyDto),
    );
  }
  return dto;
}

function canonicalizeEndpoint(item: unknown): unknown {
  const endpoint = canonicalizeKeys(item, ENDPOINT_KEYS);
  if (endpoint === null || typeof endpoint !== 'object') return endpoint;
  const record = endpoint as Record<string, unknown>;
  if (Array.isArray(record.providerSpecific)) {
    record.providerSpecific = record.providerSpecific.map((p) => canonicalizeKeys(p, PROVIDER_SPECIFIC_KEYS));
  }
  return record;
}

/**
 * The Endpoint of a valid wire endpoint: the object itself when it is already
 * in the form fromDto gives (what ExternalDNS sends, nearly always), else
 * fromDto's copy. A 10k-change request keeps every endpoint until the backend
 * answers; one object each instead of two halves what the collector copies.
 */
export function toEndpoint(dto: EndpointDto): Endpoint {
  return isInEndpointForm(dto) ? (dto as Endpoint) : fromDto(dto);
}

function isInEndpointForm(dto: EndpointDto): boolean {
  // A plain object from JSON.parse; one made a DTO for class-validator is copied.
  if (Object.getPrototypeOf(dto) !== Object.prototype) return false;
  if (!Array.isArray(dto.targets) || dto.recordType !== dto.recordType.toUpperCase()) return false;
  if (dto.providerSpecific !== undefined) return false;
  if (dto.setIdentifier !== undefined && !dto.setIdentifier) return false;
  if (dto.recordTTL !== undefined && !dto.recordTTL) return false;
  if (dto.labels !== undefined && (dto.labels === null || Object.keys(dto.labels).length === 0)) return false;
  for (const key in dto) if (!ENDPOINT_FIELDS.has(key)) return false;
  return true;
}

const ENDPOINT_FIELDS = new Set<string>(ENDPOINT_KEYS);

/** A new Endpoint from a valid DTO (exported for toEndpoint's test only; not in the package's index). */
export function fromDto(dto: EndpointDto): Endpoint {
  const endpoint: Endpoint = {
    dnsName: dto.dnsName,
    targets: dto.targets ?? [],
    recordType: dto.recordType.toUpperCase(),
  };
  if (dto.setIdentifier) endpoint.setIdentifier = dto.setIdentifier;
  if (dto.recordTTL) endpoint.recordTTL = dto.recordTTL;
  if (dto.labels && Object.keys(dto.labels).length > 0) endpoint.labels = { ...dto.labels };
  if (dto.providerSpecific && dto.providerSpecific.length > 0) {
    endpoint.providerSpecific = dto.providerSpecific.map((p) =>
      p.value === undefined || p.value === null ? { name: p.name } : { name: p.name, value: p.value },
    );
  }
  return endpoint;
}

function flattenErrors(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${path}${message.slice(error.property.length)}` : `${path}: ${message}`,
    );
    return [...own, ...flattenErrors(error.children ?? [], path)];
  });
}
