import { describe, expect, it } from '@jest/globals';
import {
  MAX_TXT_TEXT_BYTES,
  hostTargetProblem,
  naptrRegexpProblem,
  ownerNameProblem,
  presentationFields,
  targetRuleProblem,
  txtSizeProblem,
} from './record-rules.js';

describe('record rules', () => {
  it('refuses a TXT larger than a DNS message can carry', () => {
    expect(txtSizeProblem('x'.repeat(MAX_TXT_TEXT_BYTES))).toBeUndefined();
    expect(txtSizeProblem('x'.repeat(70_000))).toMatch(/at most 60000 bytes.*70000/);
    expect(txtSizeProblem('é'.repeat(30_001))).toMatch(/60002/);
  });

  it("applies BIND's check-names to the owners of A, AAAA and MX only", () => {
    expect(ownerNameProblem('_dmarc.example.org', 'A')).toMatch(/label "_dmarc"/);
    expect(ownerNameProblem('_dmarc.example.org', 'TXT')).toBeUndefined();
    expect(ownerNameProblem('*.example.org', 'A')).toBeUndefined();
    expect(ownerNameProblem('a.*.example.org', 'A')).toMatch(/label "\*"/);
    expect(ownerNameProblem('-x.example.org', 'AAAA')).toMatch(/"-x"/);
    expect(ownerNameProblem('x-.example.org', 'MX')).toMatch(/"x-"/);
    expect(ownerNameProblem('a-b.0.example.org', 'A')).toBeUndefined();
    // Found by the reliability fuzz: named refuses the zone ("invalid NS owner name (wildcard)").
    expect(ownerNameProblem('*.xn--bcher-kva.example.org', 'NS')).toMatch(/wildcard/);
    expect(ownerNameProblem('delegated.example.org', 'NS')).toBeUndefined();
  });

  it('checks host-name targets, and lets the root through', () => {
    expect(hostTargetProblem('mail.example.org.', 'exchange')).toBeUndefined();
    expect(hostTargetProblem('.', 'exchange')).toBeUndefined();
    expect(hostTargetProblem('_mail.example.org', 'exchange')).toMatch(/"_mail"/);
    // Found by the reliability fuzz: named refuses the zone ("NS is an address").
    expect(targetRuleProblem('NS', '23.203.243.219.', { checkNames: true })).toMatch(/reads as an address/);
    expect(hostTargetProblem('10.0.0.1.in-addr.arpa', 'name server of an NS')).toBeUndefined();
    expect(targetRuleProblem('MX', '10 _x.example.org', { checkNames: true })).toMatch(/"_x"/);
    expect(targetRuleProblem('MX', '10 _x.example.org', { checkNames: false })).toBeUndefined();
    expect(targetRuleProblem('SRV', '0 5 5060 _sip.example.org.', { checkNames: true })).toMatch(/target of an SRV/);
  });

  it('checks a NAPTR regexp the way a zone loader does', () => {
    expect(naptrRegexpProblem('')).toBeUndefined();
    expect(naptrRegexpProblem('!^.*$!sip:info@example.org!')).toBeUndefined();
    expect(naptrRegexpProblem('!^(.*)$!\\1@example.org!i')).toBeUndefined();
    expect(naptrRegexpProblem('x')).toMatch(/three "x" delimiters/);
    expect(naptrRegexpProblem('!^.*$!sip:x')).toMatch(/three/);
    expect(naptrRegexpProblem('1^.*$1x1')).toMatch(/delimiter other than a digit/);
    expect(naptrRegexpProblem('!!x!')).toMatch(/empty regular expression/);
    expect(naptrRegexpProblem('!^.*$!x!g')).toMatch(/flag "i"/);
    expect(naptrRegexpProblem('!^(.*$!x!')).toMatch(/unbalanced/);
    expect(naptrRegexpProblem('!^(.*)$!\\2!')).toMatch(/group \\2/);
  });

  it('reads a NAPTR target in presentation form and refuses a malformed one', () => {
    expect(
      targetRuleProblem('NAPTR', '100 10 "u" "E2U+sip" "!^.*$!sip:x@example.org!" .', { checkNames: true }),
    ).toBeUndefined();
    expect(targetRuleProblem('NAPTR', '100 10 u E2U x .', { checkNames: true })).toMatch(/three "x" delimiters/);
    expect(targetRuleProblem('NAPTR', '100 10 "u+" "E2U" "" x.example.org.', { checkNames: true })).toMatch(/flags/);
    expect(targetRuleProblem('NAPTR', '100 10 "u"', { checkNames: true })).toMatch(/six fields/);
  });

  it('splits presentation fields, unquoting and unescaping', () => {
    expect(presentationFields('1 2 "a b" c\\032d "e\\"f" "\\\\1"')).toEqual(['1', '2', 'a b', 'c d', 'e"f', '\\1']);
    expect(presentationFields('"open')).toBeUndefined();
  });
});
