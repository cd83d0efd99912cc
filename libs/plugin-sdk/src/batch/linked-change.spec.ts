import { describe, expect, it } from '@jest/globals';
import type { Endpoint } from '@dnsgate/protocol';
import { LinkedChange } from './linked-change.js';

const www: Endpoint = { dnsName: 'www.example.org', recordType: 'A', targets: ['192.0.2.1'] };

describe('LinkedChange', () => {
  it('gives back the link it was made with', () => {
    const link = { id: 7 };
    expect(LinkedChange.linkOf(new LinkedChange('create', link, undefined, www))).toBe(link);
  });

  it('looks to a plugin like the plain PlannedChange it stands for', () => {
    const create = new LinkedChange('create', { secret: 'item' }, undefined, www);
    expect(create).toEqual({ action: 'create', desired: www });
    expect(Object.keys(create)).toEqual(['action', 'desired']);
    expect('current' in create).toBe(false);
    expect(JSON.parse(JSON.stringify(create))).toEqual({ action: 'create', desired: www });
    expect({ ...create }).toEqual({ action: 'create', desired: www });
    const update = new LinkedChange('update', 1, www, { ...www, targets: ['192.0.2.2'] });
    expect(Object.keys(update)).toEqual(['action', 'current', 'desired']);
  });

  it('has no link for a change it did not make', () => {
    expect(LinkedChange.linkOf({ action: 'delete', current: www })).toBeUndefined();
  });
});
