import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_MEDIA_TYPE } from '@dnsgate/plugin-sdk';
import { spawnDnsgate, type DnsgateProcess } from '../support/dnsgate-process.js';
import { assertNamedCheckzoneDir } from '../support/named-checkzone.js';
import { HttpClient, runConcurrently, type HttpAnswer, type HttpCall } from './support/http-client.js';
import { PartResults } from './support/results.js';

/**
 * Property-based fuzzing of the running gateway (file plugin). The requests
 * are drawn from the seed (DNSGATE_FUZZ_SEED replays a run), then sent eight
 * at a time over keep-alive connections. Each is of one class:
 * - `valid`: a request ExternalDNS could send (any 4xx is a failure; a 5xx is
 *   the soft error for a batch the backend cannot hold),
 * - `malformed`: one ExternalDNS never sends (any 5xx is a failure),
 * - `odd`: judged only for crashes, hangs and answer size (a mutated body
 *   that happens to stay JSON, invalid UTF-8 that decodes to U+FFFD).
 */
const RUNS = Number(process.env.DNSGATE_FUZZ_RUNS ?? 10_400);
const SEED = Number(process.env.DNSGATE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ZONES = ['example.org', 'fuzz.test'];

type RequestClass = 'valid' | 'malformed' | 'odd';
interface FuzzRequest extends HttpCall {
  kind: RequestClass;
  what: string;
}

const mediaHeaders = { accept: WEBHOOK_MEDIA_TYPE, 'content-type': WEBHOOK_MEDIA_TYPE };
const post = (path: string, body: string | Buffer, kind: RequestClass, what: string): FuzzRequest => ({
  method: 'POST',
  path,
  headers: mediaHeaders,
  body,
  kind,
  what,
});

// Names and values built to break out of a zone file line or a DNS message.
const injections = [
  '\n$ORIGIN evil.net.',
  '\n$INCLUDE /etc/passwd',
  ' IN A 6.6.6.6',
  '; comment',
  '" "',
  '\\',
  '\\000',
  '(',
  ')',
  '@',
  '*',
  '\u0000',
  '\r\n',
  '\t',
  '..',
  'ü',
  '"; rm -rf /; "',
  'a'.repeat(64),
  '$TTL 1',
  '\u2028',
];
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.constantFrom(...injections),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('_acme-challenge', '*', 'bücher', 'xn--bcher-kva'),
);
const inZoneName = fc
  .tuple(fc.array(label, { minLength: 0, maxLength: 3 }), fc.constantFrom(...ZONES))
  .map(([labels, zone]) => [...labels, zone].join('.'));
const anyName = fc.oneof(
  { weight: 8, arbitrary: inZoneName },
  { weight: 1, arbitrary: fc.constantFrom('elsewhere.net', 'a.'.repeat(130) + 'example.org', 'example.org.') },
);
const recordType = fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'NS', 'PTR', 'MX', 'NAPTR', 'DNAME');
const target = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  inZoneName,
  fc.constantFrom('10 mx.example.org', '0 5 443 www.example.org', '100 10 "S" "SIP+D2U" "" _sip._udp.example.org.'),
  fc.constantFrom(...injections).map((i) => `192.0.2.1${i}`),
  fc.string({ maxLength: 300 }),
  fc.constant('"heritage=external-dns,external-dns/owner=default"'),
);
/** Any TTL a Go int64 can carry, some past 2^53 (written as raw digits). */
const ttl = fc.oneof(fc.integer({ min: 0, max: 86400 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
const endpoint = fc.record(
  {
    dnsName: anyName,
    targets: fc.array(target, { maxLength: 4 }),
    recordType,
    setIdentifier: fc.oneof(fc.constant(''), fc.string({ maxLength: 8 })),
    recordTTL: ttl,
    labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
    providerSpecific: fc.array(fc.record({ name: fc.string({ maxLength: 10 }), value: fc.string({ maxLength: 10 }) }), {
      maxLength: 2,
    }),
  },
  { requiredKeys: ['dnsName', 'recordType'] },
);

/** JSON as Go writes it: int64 values as plain digits, `<>&` escaped. */
function goJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000big${v}` : v))
    .replace(/"\\u0000big(-?\d+)"/g, '$1')
    .replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

const changes = fc
  .record({
    create: fc.array(endpoint, { maxLength: 4 }),
    update: fc.array(fc.tuple(endpoint, endpoint), { maxLength: 3 }),
    delete: fc.array(endpoint, { maxLength: 3 }),
    oldKeys: fc.boolean(),
  })
  .map(({ create, update, delete: deletes, oldKeys }) =>
    oldKeys
      ? { Create: create, UpdateOld: update.map(([o]) => o), UpdateNew: update.map(([, n]) => n), Delete: deletes }
      : { create, updateOld: update.map(([o]) => o), updateNew: update.map(([, n]) => n), delete: deletes },
  );

const validRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 6, arbitrary: changes.map((c) => post('/records', `${goJson(c)}\n`, 'valid', 'POST /records changes')) },
  {
    weight: 4,
    arbitrary: fc
      .array(endpoint, { maxLength: 8 })
      .map((e) => post('/adjustendpoints', `${goJson(e)}\n`, 'valid', 'POST /adjustendpoints')),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<FuzzRequest>(
      { method: 'GET', path: '/records', headers: { accept: WEBHOOK_MEDIA_TYPE }, kind: 'valid', what: 'GET /records' },
      { method: 'GET', path: '/', headers: { accept: WEBHOOK_MEDIA_TYPE }, kind: 'valid', what: 'GET /' },
      post('/records', 'null\n', 'valid', 'POST /records null'),
      post('/adjustendpoints', 'null\n', 'valid', 'POST /adjustendpoints null'),
    ),
  },
);

const notAnEndpoint = fc.oneof(
  fc.constantFrom(0, 1, true, 'x', [], null),
  fc.record({ dnsName: fc.oneof(fc.integer(), fc.constant(''), fc.constant(null)), recordType }),
  fc.record({ dnsName: inZoneName, recordType: fc.oneof(fc.integer(), fc.constant('')) }),
  fc.record({ dnsName: inZoneName, recordType, targets: fc.oneof(fc.string(), fc.constant([1, 2])) }),
  fc.record({
    dnsName: inZoneName,
    recordType,
    // noNaN: JSON writes NaN as null, which is a valid (unset) TTL.
    recordTTL: fc.oneof(fc.string(), fc.double({ min: 0.1, max: 1e6, noInteger: true, noNaN: true })),
  }),
  fc.record({ dnsName: inZoneName, recordType, labels: fc.oneof(fc.constant({ a: 1 }), fc.constant([]), fc.string()) }),
  fc.record({
    dnsName: inZoneName,
    recordType,
    // An array inside providerSpecific made class-validator throw a TypeError (a 500) until the scan found it.
    providerSpecific: fc.oneof(
      fc.constant([{ name: 5 }]),
      fc.string(),
      fc.constantFrom([[]], [[{}]], [{ name: 'a' }, [1]]),
    ),
  }),
);
const wrongTypes = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('create', 'updateOld', 'delete', 'Create'),
      notAnEndpoint,
      fc.array(endpoint, { maxLength: 2 }),
    )
    .map(([key, bad, good]) =>
      post('/records', goJson({ [key]: [...good, bad] }), 'malformed', 'POST /records wrong type'),
    ),
  fc
    .oneof(fc.string(), fc.integer(), fc.constant([]), fc.boolean())
    .map((body) => post('/records', JSON.stringify(body), 'malformed', 'POST /records not an object')),
  fc
    .oneof(fc.string(), fc.integer(), fc.record({ a: fc.string() }))
    .map((body) => post('/adjustendpoints', JSON.stringify(body), 'malformed', 'POST /adjustendpoints not an array')),
  fc
    .tuple(notAnEndpoint)
    .map(([bad]) => post('/adjustendpoints', goJson([bad]), 'malformed', 'POST /adjustendpoints wrong type')),
  fc
    .tuple(fc.array(endpoint, { minLength: 1, maxLength: 3 }))
    .map(([olds]) =>
      post('/records', goJson({ updateOld: olds, updateNew: [] }), 'malformed', 'POST /records unpaired update'),
    ),
);
const mutated = fc
  .tuple(changes, fc.nat(), fc.constantFrom('delete', 'insert', 'truncate'), fc.string({ minLength: 1, maxLength: 2 }))
  .map(([c, at, how, text]) => {
    const body = goJson(c);
    const i = at % body.length;
    const broken =
      how === 'delete'
        ? body.slice(0, i) + body.slice(i + 1)
        : how === 'insert'
          ? body.slice(0, i) + text + body.slice(i)
          : body.slice(0, i);
    let parses = true;
    try {
      JSON.parse(broken);
    } catch {
      parses = false;
    }
    return post('/records', broken, parses ? 'odd' : 'malformed', `mutated JSON (${how})`);
  });
const hugeArray = fc
  .tuple(fc.integer({ min: 100_000, max: 300_000 }), fc.constantFrom('1', '{}', '"x"', 'null', '[]'))
  .map(([count, item]) => {
    const list = `[${`${item},`.repeat(count - 1)}${item}]`;
    return count % 2
      ? post('/adjustendpoints', list, 'malformed', `huge array (${count} × ${item})`)
      : post('/records', `{"delete":${list}}`, 'malformed', `huge array in delete (${count} × ${item})`);
  });
const deepNesting = fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.boolean()).map(([depth, inLabels]) => {
  const deep = '['.repeat(depth) + ']'.repeat(depth);
  return inLabels
    ? post(
        '/records',
        `{"create":[{"dnsName":"a.example.org","recordType":"A","labels":${deep}}]}`,
        'malformed',
        'deep nesting in labels',
      )
    : post('/adjustendpoints', deep, 'malformed', `deep nesting (${depth})`);
});
const invalidUtf8 = fc.tuple(endpoint, fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([e, bytes]) => {
  const [head, tail] = goJson({ create: [{ ...e, dnsName: 'SPLIT.example.org' }] }).split('SPLIT');
  const body = Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xc3, ...bytes]), Buffer.from(tail!)]);
  return post('/records', body, 'odd', 'invalid UTF-8 in a name');
});
const oddHeadersAndMethods = fc.oneof(
  fc
    .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), fc.constantFrom('/records', '/adjustendpoints'))
    .map(([method, path]): FuzzRequest => ({
      method,
      path,
      headers: mediaHeaders,
      body: '{}',
      kind: 'malformed',
      what: `${method} on a webhook route`,
    })),
  fc
    .constantFrom('application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded')
    .map((type): FuzzRequest => ({
      method: 'POST',
      path: '/records',
      headers: { 'content-type': type, accept: WEBHOOK_MEDIA_TYPE },
      body: '{}',
      kind: 'malformed',
      what: `Content-Type ${type}`,
    })),
  fc
    .constantFrom('application/external.dns.webhook+json;version=2', 'text/html', 'image/png')
    .map((accept): FuzzRequest => ({
      method: 'GET',
      path: '/records',
      headers: { accept },
      kind: 'malformed',
      what: `Accept ${accept}`,
    })),
  fc.integer({ min: 17_000, max: 70_000 }).map((size): FuzzRequest => ({
    method: 'GET',
    path: '/records',
    headers: { accept: WEBHOOK_MEDIA_TYPE, 'x-big': 'h'.repeat(size) },
    kind: 'malformed',
    what: 'huge header',
  })),
  fc.constant<FuzzRequest>(post('/records', '', 'malformed', 'empty body')),
  fc.constant<FuzzRequest>(post('/records', '   \n', 'malformed', 'blank body')),
);
const malformedRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 10, arbitrary: wrongTypes },
  { weight: 8, arbitrary: mutated },
  { weight: 1, arbitrary: hugeArray },
  { weight: 1, arbitrary: deepNesting },
  { weight: 3, arbitrary: invalidUtf8 },
  { weight: 4, arbitrary: oddHeadersAndMethods },
);

/** The valid endpoints of a 32 MiB /adjustendpoints body, as ExternalDNS writes them. */
function validBatchAtCap(): string {
  const one = (i: number) =>
    goJson({
      dnsName: `host-${String(i).padStart(7, '0')}.example.org`,
      targets: ['192.0.2.1'],
      recordType: 'A',
      recordTTL: 300,
      labels: { owner: 'default', resource: 'service/default/web' },
    });
  const count = Math.floor((WEBHOOK_BODY_LIMIT_BYTES - 2) / (one(0).length + 1));
  return `[${Array.from({ length: count }, (_, i) => one(i)).join(',')}]`;
}

/**
 * Bodies at and over the 32 MiB cap, sent once each run (each takes a while
 * to build and to send): malformed ones of every shape that made JSON.parse
 * slow (many tiny values, deep nesting, a syntax error at the very end), a
 * valid batch of endpoints, and one byte over the cap.
 */
function capRequests(): FuzzRequest[] {
  const cap = WEBHOOK_BODY_LIMIT_BYTES;
  const atCap = `null${' '.repeat(cap - 4)}`;
  const overCap = `[${' '.repeat(cap)}]`;
  const zeros = (room: number) => `${'0,'.repeat(room / 2 - 1)}0`;
  const empties = (room: number) => `${'{},'.repeat(Math.floor(room / 3) - 1)}{}`;
  const depth = cap / 2;
  return [
    post('/adjustendpoints', atCap, 'valid', 'body of exactly 32 MiB'),
    post('/adjustendpoints', validBatchAtCap(), 'valid', '32 MiB of valid endpoints'),
    post('/records', overCap, 'malformed', 'body over 32 MiB'),
    post('/adjustendpoints', `[${zeros(cap - 2)}]`, 'malformed', '32 MiB of bad items'),
    post('/records', `{"create":[${zeros(cap - 13)}]}`, 'malformed', '32 MiB of bad items in create'),
    post('/records', `{"delete":[${empties(cap - 13)}]}`, 'malformed', '32 MiB of empty objects in delete'),
    post('/adjustendpoints', `${'['.repeat(depth)}${']'.repeat(depth)}`, 'malformed', '32 MiB of nesting'),
    post('/adjustendpoints', `[${zeros(cap - 2)},`, 'malformed', '32 MiB, not JSON at the last byte'),
  ].map((request) => {
    if (request.what === 'body over 32 MiB') return request;
    const size = Buffer.byteLength(request.body as string);
    if (size > cap || size < cap - 1024) throw new Error(`${request.what} is ${size} bytes, not about 32 MiB`);
    return request;
  });
}

/** Sends a request, waits `idleMs` on the same connection, and sends another: `kept` when both are answered on it. */
function idleKeepAlive(url: string, idleMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let answers = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      const count = received.split('HTTP/1.1 ').length - 1;
      if (count > answers) {
        answers = count;
        if (answers === 1) {
          setTimeout(() => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), idleMs);
        } else {
          socket.destroy();
          resolve('kept');
        }
      }
    });
    socket.on('close', () => resolve(answers < 2 ? `closed after ${answers} answer(s)` : 'kept'));
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  });
}

describe('fuzz: generated hostile requests against the running gateway', () => {
  const results = new PartResults('fuzz');
  let dir: string;
  let dnsgate: DnsgateProcess;
  let client: HttpClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsgate-fuzz-'));
    dnsgate = await spawnDnsgate({
      env: {
        DNSGATE_PLUGIN: 'file',
        DNSGATE_FILE_DIR: dir,
        DNSGATE_FILE_ZONES: ZONES.join(','),
        DNSGATE_LOG_LEVEL: 'error',
      },
    });
    client = new HttpClient(dnsgate.webhookUrl);
  });
  afterAll(async () => {
    results.flush();
    client?.close();
    await dnsgate?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`answers ${RUNS} generated requests without a crash, a hang, a 5xx to malformed input or a 4xx to ExternalDNS`, async () => {
    process.stdout.write(`fuzz seed ${SEED} (replay: DNSGATE_FUZZ_SEED=${SEED} npm run test:reliability -- -t fuzz)\n`);
    // Meanwhile, on both ports: a keep-alive connection left idle for 95 s (past Go's 90 s) must still be open.
    const idleChecks = [dnsgate.webhookUrl, dnsgate.healthUrl].map((url) => idleKeepAlive(url, 95_000));
    const requests = fc.sample(
      fc.oneof({ weight: 1, arbitrary: validRequest }, { weight: 1, arbitrary: malformedRequest }),
      { seed: SEED, numRuns: RUNS },
    );
    const failures: string[] = [];
    const counts = {
      sent: 0,
      valid: 0,
      malformed: 0,
      odd: 0,
      dropped: 0,
      hangs: 0,
      fivexxMalformed: 0,
      fourxxValid: 0,
      big400: 0,
    };
    let slowest = 0;
    const note = (request: FuzzRequest, answer: HttpAnswer, problem: string) => {
      if (failures.length < 20)
        failures.push(
          `${problem}: ${request.what} → ${answer.status || answer.error} ${answer.body.subarray(0, 200).toString()}` +
            `\n    request body: ${String(request.body ?? '').slice(0, 600)}`,
        );
    };
    const capTimes: { what: string; status: number; ms: number; parseMs: number }[] = [];
    const send = async (request: FuzzRequest): Promise<HttpAnswer> => {
      const answer = await client.call(request);
      counts.sent++;
      counts[request.kind]++;
      slowest = Math.max(slowest, answer.ms);
      if (answer.error) {
        // Over the cap the server answers 413 and closes before the client has written it all, as Go's helper does.
        if (request.what === 'body over 32 MiB' && /EPIPE|ECONNRESET/.test(answer.error)) return answer;
        if (/no answer in/.test(answer.error)) counts.hangs++;
        else counts.dropped++;
        note(request, answer, 'no answer');
        return answer;
      }
      if (answer.status === 400 && answer.bytes > 64 * 1024) {
        counts.big400++;
        note(request, answer, `400 of ${answer.bytes} bytes`);
      }
      if (request.kind === 'malformed' && answer.status >= 500) {
        counts.fivexxMalformed++;
        note(request, answer, '5xx to malformed input');
      }
      if (request.kind === 'valid' && answer.status >= 400 && answer.status < 500) {
        counts.fourxxValid++;
        note(request, answer, '4xx to a request ExternalDNS could send');
      }
      return answer;
    };
    await runConcurrently(requests, 8, async (request) => {
      await send(request);
    });
    // The 32 MiB bodies one at a time, each timed against what JSON.parse alone takes on it here (the work
    // the gateway did before its bytes were scanned): a malformed one must be refused well before that.
    for (const request of capRequests()) {
      const answer = await send(request);
      let parseMs = 0;
      if (request.kind === 'malformed' && request.what !== 'body over 32 MiB') {
        if (answer.status !== 400) note(request, answer, 'not a 400');
      }
      // (Not for the nesting: JSON.parse spends about 20 s on it, blocking this process.)
      if (request.kind === 'malformed' && !/over 32 MiB|nesting/.test(request.what)) {
        const started = performance.now();
        try {
          JSON.parse(request.body as string);
        } catch {
          // the ones that are not JSON fail at their last byte
        }
        parseMs = performance.now() - started;
      }
      capTimes.push({ what: request.what, status: answer.status, ms: answer.ms, parseMs });
    }
    const idle = await Promise.all(idleChecks);
    results.add(
      'keep-alive connections idle 95 s, webhook and health port',
      idle.join(', '),
      idle.every((r) => r === 'kept'),
    );
    expect(idle).toEqual(['kept', 'kept']);
    const alive = dnsgate.child.exitCode === null && (await fetch(`${dnsgate.healthUrl}/healthz`)).ok;
    const zones = await assertNamedCheckzoneDir(dir).then(
      (checked) => checked.length,
      (error: unknown) => {
        failures.push(`named-checkzone: ${(error as Error).message}`);
        return -1;
      },
    );
    const strayFiles = (await readdir(dir)).filter((name) => !/^(example\.org|fuzz\.test)\.zone$|^\./.test(name));

    results.add('requests sent (seed)', `${counts.sent} (seed ${SEED})`, counts.sent >= 10_000);
    results.add('  of which valid / malformed / odd', `${counts.valid} / ${counts.malformed} / ${counts.odd}`, 'info');
    results.add(
      'crashes (process gone) and dropped connections',
      `${alive ? 0 : 1} / ${counts.dropped}`,
      alive && counts.dropped === 0,
    );
    results.add(
      'hangs over 15 s (slowest answer)',
      `${counts.hangs} (${(slowest / 1000).toFixed(2)} s)`,
      counts.hangs === 0,
    );
    results.add('5xx to malformed input', counts.fivexxMalformed, counts.fivexxMalformed === 0);
    results.add('4xx to a request ExternalDNS could send', counts.fourxxValid, counts.fourxxValid === 0);
    results.add('400 answers over 64 KiB', counts.big400, counts.big400 === 0);
    for (const { what, status, ms, parseMs } of capTimes) {
      const figure = `${status}, ${(ms / 1000).toFixed(2)} s${parseMs ? `; JSON.parse alone ${(parseMs / 1000).toFixed(2)} s` : ''}`;
      results.add(`  ${what}`, figure, 'info');
    }
    results.add(
      'zone files passing named-checkzone, stray files',
      `${zones} of 2, ${strayFiles.length}`,
      zones === 2 && strayFiles.length === 0,
    );
    if (failures.length > 0)
      process.stdout.write(`fuzz failures (first ${failures.length}):\n  ${failures.join('\n  ')}\n`);

    expect(failures).toEqual([]);
    expect(alive).toBe(true);
    expect(zones).toBe(2);
    expect(strayFiles).toEqual([]);
    expect(counts.sent).toBeGreaterThanOrEqual(10_000);
  });
});
