/**
 * Whether PowerDNS moves a zone's serial on every change made through its
 * API, from the zone's SOA-EDIT-API (the `soa_edit_api` of its JSON), as
 * PowerDNS 4.7 does it (tried in test/powerdns/powerdns-zone-versions.e2e-spec.ts):
 * - DEFAULT, INCREASE, SOA-EDIT-INCREASE: every PATCH moves it forward.
 * - '' (zones made by `pdnsutil create-zone`, or by the API with it set empty):
 *   it never moves.
 * - EPOCH: set to the current second, so a second change within the same
 *   second leaves it where it was.
 * - SOA-EDIT: whatever the zone's SOA-EDIT makes of it, often nothing.
 * No setting makes it move for changes written straight into the database.
 */
export type SerialTrust = { trusted: true } | { trusted: false; why: string };

const MOVES_ON_EVERY_API_CHANGE = new Set(['DEFAULT', 'INCREASE', 'SOA-EDIT-INCREASE']);

export function serialTrust(soaEditApi: string | undefined): SerialTrust {
  const setting = (soaEditApi ?? '').trim().toUpperCase();
  if (MOVES_ON_EVERY_API_CHANGE.has(setting)) return { trusted: true };
  if (setting === '')
    return { trusted: false, why: 'its SOA-EDIT-API is not set, so API changes never move its serial' };
  if (setting === 'EPOCH') {
    return {
      trusted: false,
      why: 'its SOA-EDIT-API is EPOCH, so a change made in the same second as the one before leaves its serial where it was',
    };
  }
  return { trusted: false, why: `its SOA-EDIT-API is ${setting}, which does not move its serial on every API change` };
}
