/** The parts of PowerDNS API v1 objects that dnsgate reads or writes. */

export interface PdnsRecord {
  content: string;
  disabled?: boolean;
}

export interface PdnsRrset {
  name: string;
  type: string;
  ttl?: number;
  records?: PdnsRecord[];
  comments?: unknown[];
}

export interface PdnsZoneSummary {
  id: string;
  name: string;
  kind?: string;
  /** The SOA serial as stored (the zone listing is asked without `edited_serial`: see listZones). */
  serial?: number;
}

export interface PdnsZone extends PdnsZoneSummary {
  rrsets?: PdnsRrset[];
  /** How API changes move the serial: DEFAULT, INCREASE, EPOCH, SOA-EDIT, SOA-EDIT-INCREASE, or '' (not at all). */
  soa_edit_api?: string;
}

export interface PdnsServerInfo {
  id: string;
  daemon_type?: string;
  version?: string;
}

/** One entry of a PATCH body. */
export interface PdnsRrsetChange {
  name: string;
  type: string;
  changetype: 'REPLACE' | 'DELETE';
  ttl?: number;
  records?: PdnsRecord[];
}
