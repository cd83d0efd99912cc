import { zoneStateOf, type Endpoint } from '@dnsgate/plugin-sdk';
import { parseZoneFile } from '../zone-file/zone-file.parser.js';
import { sortRecordsForWriting } from '../zone-file/zone-file.writer.js';
import { endpointsOf } from './zone-endpoints.js';
import { zoneStateOfSorted } from './zone-state.js';

const ZONE = 'example.com';
const MANAGED = [ZONE, 'deep.example.com'];
// Every kind of record endpointsOf leaves out, beside some it reports, out of order.
const text = `$ORIGIN example.com.
$TTL 300
zeta A 192.0.2.9
@ 3600 IN SOA ns1 hostmaster 1 3600 600 1209600 300
@ 3600 IN NS ns1
@ A 192.0.2.10
@ MX 10 mail
ns1 A 192.0.2.53
www A 192.0.2.1
www A 192.0.2.2
www TXT "hello"
a.b.c A 192.0.2.3
b A 192.0.2.4
alias CNAME www
hinfo HINFO "PC" "Linux"
host.deep A 192.0.2.5
bad\\.name A 192.0.2.6
raw TYPE65534 \\# 1 00
sub NS ns1.sub
odd A \\# 4 C0000207
`;

describe('zoneStateOfSorted', () => {
  const file = parseZoneFile(text, { origin: ZONE });
  const state = zoneStateOfSorted(sortRecordsForWriting(file.records, ZONE), ZONE, MANAGED);
  const reference = zoneStateOf(endpointsOf(file, MANAGED));
  const ask = (dnsName: string, recordType: string, setIdentifier?: string): Endpoint =>
    setIdentifier === undefined
      ? { dnsName, recordType, targets: [] }
      : { dnsName, recordType, targets: [], setIdentifier };

  it('holds exactly the record sets endpointsOf reports', () => {
    const names = [...new Set(file.records.map((r) => r.name)), 'missing.example.com', 'c.example.com', 'example.org'];
    const types = ['A', 'AAAA', 'TXT', 'MX', 'NS', 'CNAME', 'SOA', 'HINFO', 'TYPE65534'];
    let held = 0;
    for (const name of names) {
      for (const type of types) {
        const endpoint = ask(name, type);
        expect([name, type, state.holds(endpoint)]).toEqual([name, type, reference.holds(endpoint)]);
        if (state.holds(endpoint)) held++;
      }
    }
    expect(held).toBe(endpointsOf(file, MANAGED).length);
  });

  it('holds nothing with a set identifier, which a zone file cannot carry', () => {
    expect(state.holds(ask('www.example.com', 'A'))).toBe(true);
    expect(state.holds(ask('www.example.com', 'A', 'one'))).toBe(false);
  });
});
