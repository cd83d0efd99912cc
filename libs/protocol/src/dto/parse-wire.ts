import 'reflect-metadata';
import { validateSync, type ValidationError } from 'class-validator';
import type { Changes } from '../changes.js';
import type { Endpoint } from '../endpoint.js';
import { ENDPOINT_KEYS, EndpointDto, PROVIDER_SPECIFIC_KEYS, ProviderSpecificPropertyDto } from './endpoint.dto.js';
import { passesEndpointRulesQuickly } from './endpoint-quick-check.js';
import { targetsToALabels, toALabels } from '../idn.js';
import { normalizeRecordTtl } from './record-ttl.js';
import { upperCased } from '../text-case.js';
import { canonicalizeKeys } from './wire-keys.js';

/** The keys of Changes; each list is validated endpoint by endpoint with EndpointDto. */
export const CHANGES_KEYS = ['create', 'updateOld', 'updateNew', 'delete'] as const;

/**
 * How many bad endpoints a 400 describes field by field. A hostile body can
 * hold millions of bad items; describing each made answers of hundreds of
 * megabytes, so the rest are only counted.
 */
export const MAX_DESCRIBED_ENDPOINTS = 10;

/** The wording of the problems above the endpoints (shared with scanWireBody, which must say the same). */
export const WIRE_PROBLEMS = {
  notAnEndpointArray: 'the body must be a JSON array of endpoints or null',
  notAChangesObject: 'the body must be a JSON object of changes or null',
  notAnEndpointList: (key: string) => `${key} must be an array of endpoints or null`,
  unpairedUpdates: (old: number, updated: number) =>
    `updateOld has ${old} endpoints but updateNew has ${updated}; they are paired by position`,
};

/** A request body that is not what the protocol allows; its message names the field. */
export class WireValidationError extends Error {
  override readonly name = 'WireValidationError';
  constructor(
    /** The problems described, at most those of MAX_DESCRIBED_ENDPOINTS endpoints. */
    readonly problems: string[],
    /** Further bad endpoints, counted but not described. */
    readonly undescribed = 0,
  ) {
    super(undescribed > 0 ? `${problems.join('; ')}; and ${undescribed} more invalid endpoints` : problems.join('; '));
  }
}

/** The problems of one body: the first few described, the rest counted, never spread onto the stack. */
class ProblemCollector {
  readonly problems: string[] = [];
  undescribed = 0;
  private described = 0;

  get isEmpty(): boolean {
    return this.problems.length === 0 && this.undescribed === 0;
  }

  /** Whether the next bad endpoint will still be described (else it is only counted). */
  get describing(): boolean {
    return this.described < MAX_DESCRIBED_ENDPOINTS;
  }

  /** One bad endpoint (or list), with what is wrong with it. */
  addEndpoint(describe: () => string[]): void {
    if (!this.describing) {
      this.undescribed++;
      return;
    }
    this.described++;
    for (const problem of describe()) this.problems.push(problem);
  }

  toError(): WireValidationError {
    return new WireValidationError(this.problems, this.undescribed);
  }
}

/** The body of `POST /adjustendpoints`: an array of Endpoint, or `null`. */
export function parseEndpointsBody(body: unknown): Endpoint[] {
  if (body === null) return [];
  if (!Array.isArray(body)) throw new WireValidationError([WIRE_PROBLEMS.notAnEndpointArray]);
  return parseEndpointList(body, '');
}

/** The body of `POST /records`: Changes in either key spelling, or `null`. */
export function parseChangesBody(body: unknown): Changes {
  if (body === null) return { create: [], updateOld: [], updateNew: [], delete: [] };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new WireValidationError([WIRE_PROBLEMS.notAChangesObject]);
  }
  const raw = canonicalizeKeys(body, CHANGES_KEYS) as Record<string, unknown>;
  const problems = new ProblemCollector();
  const lists = {} as Record<(typeof CHANGES_KEYS)[number], Endpoint[]>;
  for (const key of CHANGES_KEYS) {
    const value = raw[key];
    lists[key] = [];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      problems.addEndpoint(() => [WIRE_PROBLEMS.notAnEndpointList(key)]);
      continue;
    }
    const endpoints = collectEndpointList(value, key, problems);
    if (problems.isEmpty) lists[key] = endpoints;
  }
  if (problems.isEmpty && lists.updateOld.length !== lists.updateNew.length) {
    problems.addEndpoint(() => [WIRE_PROBLEMS.unpairedUpdates(lists.updateOld.length, lists.updateNew.length)]);
  }
  if (!problems.isEmpty) throw problems.toError();
  return lists;
}

function parseEndpointList(items: unknown[], path: string): Endpoint[] {
  const problems = new ProblemCollector();
  const endpoints = collectEndpointList(items, path, problems);
  if (!problems.isEmpty) throw problems.toError();
  return endpoints;
}

/** The valid endpoints of `items`; each bad one is added to `problems` (a plain loop: lists may be huge). */
function collectEndpointList(items: unknown[], path: string, problems: ProblemCollector): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = canonicalizeEndpoint(items[index]);
    if (!isEndpointObject(item)) {
      problems.addEndpoint(() => [notAnEndpointObject(`${path}[${index}]`)]);
      continue;
    }
    // The usual endpoint passes the quick check as the plain object it is;
    // only one that fails it becomes a DTO, for class-validator to name the field.
    if (!passesEndpointRulesQuickly(item as EndpointDto)) {
      if (!problems.describing) {
        // The body is already refused; past the described few a bad endpoint
        // is only counted, without class-validator's far slower verdict.
        problems.addEndpoint(() => []);
        continue;
      }
      const found = validatedProblems(item, `${path}[${index}]`);
      if (found.length > 0) {
        problems.addEndpoint(() => found);
        continue;
      }
    }
    if (problems.isEmpty) endpoints.push(toEndpoint(item as EndpointDto));
  }
  return endpoints;
}

/**
 * What is wrong with one wire endpoint (as JSON.parse gave it) found at
 * `at` (`create[3]`), in the words of a refused body; empty when it is valid.
 */
export function endpointProblems(value: unknown, at: string): string[] {
  const item = canonicalizeEndpoint(value);
  if (!isEndpointObject(item)) return [notAnEndpointObject(at)];
  if (passesEndpointRulesQuickly(item as EndpointDto)) return [];
  return validatedProblems(item, at);
}

function isEndpointObject(item: unknown): item is object {
  return item !== null && typeof item === 'object' && !Array.isArray(item);
}

function notAnEndpointObject(at: string): string {
  return `${at} must be an endpoint object`;
}

function validatedProblems(item: object, at: string): string[] {
  const dto = toEndpointDto(item as Record<string, unknown>);
  const problems: string[] = [];
  if (Array.isArray(dto.providerSpecific)) {
    // class-validator throws a TypeError on an array inside a nested array
    // (a 500 where a 400 belongs): such an item is refused here instead, and
    // a valid stand-in keeps it from being reported twice.
    dto.providerSpecific = dto.providerSpecific.map((property: unknown, index) => {
      if (!Array.isArray(property)) return property as ProviderSpecificPropertyDto;
      problems.push(`${at}.providerSpecific[${index}] must be an object with a string name`);
      return Object.assign(new ProviderSpecificPropertyDto(), { name: '' });
    });
  }
  const errors = validateSync(dto, { forbidUnknownValues: false });
  return [...flattenErrors(errors, at), ...problems];
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
  if (!Array.isArray(dto.targets) || dto.recordType !== upperCased(dto.recordType)) return false;
  if (toALabels(dto.dnsName) !== dto.dnsName) return false;
  if (targetsToALabels(dto.recordType, dto.targets) !== dto.targets) return false;
  if (dto.providerSpecific !== undefined) return false;
  if (dto.setIdentifier !== undefined && !dto.setIdentifier) return false;
  if (dto.recordTTL !== undefined && normalizeRecordTtl(dto.recordTTL) !== dto.recordTTL) return false;
  if (dto.labels !== undefined && (dto.labels === null || Object.keys(dto.labels).length === 0)) return false;
  for (const key in dto) if (!ENDPOINT_FIELDS.has(key)) return false;
  return true;
}

const ENDPOINT_FIELDS = new Set<string>(ENDPOINT_KEYS);

/** A new Endpoint from a valid DTO (exported for toEndpoint's test only; not in the package's index). */
export function fromDto(dto: EndpointDto): Endpoint {
  const endpoint: Endpoint = {
    // An IDN name as its A-labels: what every backend stores and Records reports back.
    dnsName: toALabels(dto.dnsName),
    // Host names in targets too (a CNAME to an IDN, an MX exchange, an SRV target).
    targets: targetsToALabels(dto.recordType, dto.targets ?? []),
    recordType: dto.recordType.toUpperCase(),
  };
  if (dto.setIdentifier) endpoint.setIdentifier = dto.setIdentifier;
  const ttl = normalizeRecordTtl(dto.recordTTL);
  if (ttl !== undefined) endpoint.recordTTL = ttl;
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
