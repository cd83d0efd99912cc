/** One resource record of a zone file. */
export interface ZoneRecord {
  /** Absolute owner name, lower case, without the trailing dot. */
  name: string;
  /** Seconds. */
  ttl: number;
  /** Upper-case mnemonic, e.g. `A`, or `TYPE65534` as written. */
  type: string;
  /**
   * For a structured type (`verbatim: false`), the canonical endpoint target
   * (see `rdata.ts`); otherwise the rdata exactly as it was written.
   */
  data: string;
  verbatim: boolean;
  /** The `$ORIGIN` the record was read under: relative names in verbatim rdata depend on it. */
  origin: string;
}

export interface ZoneFile {
  /** The zone's apex, lower case, without the trailing dot. */
  origin: string;
  records: ZoneRecord[];
}

/** SOA rdata, from the canonical target `mname rname serial refresh retry expire minimum`. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export function parseSoa(data: string): SoaData {
  const [mname, rname, serial, refresh, retry, expire, minimum] = data.split(' ');
  return {
    mname: mname!,
    rname: rname!,
    serial: Number(serial),
    refresh: Number(refresh),
    retry: Number(retry),
    expire: Number(expire),
    minimum: Number(minimum),
  };
}

export function formatSoa(soa: SoaData): string {
  return [soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].join(' ');
}
