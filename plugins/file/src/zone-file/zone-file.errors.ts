/** A zone file that cannot be read as RFC 1035 master-file text. */
export class ZoneFileSyntaxError extends Error {
  override readonly name = 'ZoneFileSyntaxError';
}

/** A name or target that a zone file cannot hold, or that would inject text into it. */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
}
