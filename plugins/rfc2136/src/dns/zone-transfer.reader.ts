import { MalformedMessageError } from './dns-message.reader.js';
import { skipName, type MessageNames } from './wire-name.codec.js';

/** One RR of a transfer, as it was read (rdata still in the message). */
export interface TransferRr {
  /** Lower case, no trailing dot. */
  name: string;
  type: number;
  ttl: number;
  message: Buffer;
  /** Offset of the rdata's length field. */
  rdataOffset: number;
}

/** Where the RRs of a transfer go as they are read (the arguments of a TransferRr, without making one). */
export interface TransferSink {
  add(name: string, type: number, ttl: number, message: Buffer, rdataOffset: number): void;
  /**
   * Optional, taken instead of `add`: the RR with its owner name left in the
   * message at `nameOffset` (`names.read(nameOffset)` gives what `add`
   * would get), for a sink that reads names from the bytes.
   */
  addAt?(
    names: MessageNames,
    nameOffset: number,
    type: number,
    ttl: number,
    message: Buffer,
    rdataOffset: number,
  ): void;
  /** The end of a message that did not end the transfer. */
  endOfMessage?(): void;
}

/** The serial of the SOA whose rdata (its length field) is at `rdataOffset`. */
export function soaSerial(message: Buffer, rdataOffset: number): number {
  const rdataEnd = rdataOffset + 2 + message.readUInt16BE(rdataOffset);
  const serialAt = skipName(message, skipName(message, rdataOffset + 2));
  if (serialAt + 20 > rdataEnd) throw new MalformedMessageError('an SOA record shorter than its fields');
  return message.readUInt32BE(serialAt);
}

/**
 * True when serial `a` is newer than `b` in serial number arithmetic
 * (RFC 1982): the serial wraps at 2^32, and a difference of exactly 2^31 is
 * undefined, taken here as not newer.
 */
export function serialIsNewer(a: number, b: number): boolean {
  const difference = (a - b) >>> 0;
  return difference !== 0 && difference < 0x80000000;
}

/**
 * Takes a transfer's RRs in order, message by message, and says when the
 * reply is complete: the transport reads messages until it does.
 */
export interface TransferReplyReader {
  /**
   * One RR of the answer section, its owner name at `nameOffset` of the
   * message `names` reads (`soaSerial` for an SOA); true when it ended the reply.
   */
  add(
    names: MessageNames,
    nameOffset: number,
    type: number,
    ttl: number,
    message: Buffer,
    rdataOffset: number,
    soaSerial: number | undefined,
  ): boolean;
  /** The end of one message; true when the reply ended with it. */
  endOfMessage(): boolean;
  /**
   * True when the reader stopped before the end of the reply because the
   * rest does not matter to it: the messages not read are not TSIG-checked.
   */
  readonly abandoned?: boolean;
}

/**
 * An AXFR reply (RFC 5936 2.2): the SOA, every RR of the zone, the SOA again;
 * the RRs between go to `sink` as they are read. `serial` is the serial of
 * the opening SOA: the version the RRs are at. Whoever made the sink uses
 * it only once the whole transfer has been read and verified.
 */
export class AxfrReplyReader implements TransferReplyReader {
  serial?: number;
  private soaSeen = 0;

  constructor(
    private readonly what: string,
    private readonly sink: TransferSink,
  ) {}

  add(
    names: MessageNames,
    nameOffset: number,
    type: number,
    ttl: number,
    message: Buffer,
    rdataOffset: number,
    serial: number | undefined,
  ): boolean {
    if (serial !== undefined) {
      this.soaSeen++;
      if (this.soaSeen === 1) this.serial = serial;
      return this.soaSeen === 2;
    }
    if (this.soaSeen === 0) throw new MalformedMessageError(`${this.what} did not start with an SOA`);
    if (this.sink.addAt) this.sink.addAt(names, nameOffset, type, ttl, message, rdataOffset);
    else this.sink.add(names.read(nameOffset), type, ttl, message, rdataOffset);
    return false;
  }

  endOfMessage(): boolean {
    if (this.soaSeen === 0) throw new EmptyTransferError(`${this.what} (empty answer)`);
    this.sink.endOfMessage?.();
    return false;
  }
}

/** A transfer answered without any RR: the server does not serve the zone. */
export class EmptyTransferError extends Error {
  override readonly name = 'EmptyTransferError';
}

/** The deletions and additions that take a zone from one serial to the next (RFC 1995 4). */
export interface DifferenceSequence {
  fromSerial: number;
  toSerial: number;
  deleted: TransferRr[];
  added: TransferRr[];
}

/**
 * What an IXFR reply said, whichever of its three forms it took:
 * - `current`: only the server's SOA: the client's version is current (or
 *   newer than the server's, which the caller tells by the serial);
 * - `full`: the whole zone in the AXFR form, as a server answers when it
 *   cannot give the difference (not kept: the caller reads the zone anew);
 * - `incremental`: the difference sequences from the client's serial on.
 */
export type IxfrReply =
  | { kind: 'current'; serial: number }
  | { kind: 'full'; serial: number }
  | { kind: 'incremental'; serial: number; sequences: DifferenceSequence[] };

type IxfrState = 'opening' | 'second' | 'deleting' | 'adding' | 'done';

/**
 * An IXFR reply (RFC 1995 4), told apart by its first RRs: the new SOA
 * alone in the first message (current), the new SOA then a non-SOA RR or the
 * same SOA again (the AXFR form), or the new SOA then an older one (the
 * first deletion sequence). A sequence's additions end at the next SOA: the
 * new serial ends the reply, any other opens the next sequence's deletions.
 * The AXFR form is abandoned as soon as it is recognised: the caller reads
 * the zone whole anyway, so the rest of it would be read for nothing.
 */
export class IxfrReplyReader implements TransferReplyReader {
  private state: IxfrState = 'opening';
  private serial = 0;
  private readonly sequences: DifferenceSequence[] = [];
  private sequence?: DifferenceSequence;
  private current = false;
  abandoned = false;

  constructor(private readonly what: string) {}

  add(
    names: MessageNames,
    nameOffset: number,
    type: number,
    ttl: number,
    message: Buffer,
    rdataOffset: number,
    serial: number | undefined,
  ): boolean {
    const rr = (): TransferRr => ({ name: names.read(nameOffset), type, ttl, message, rdataOffset });
    switch (this.state) {
      case 'opening':
        if (serial === undefined) throw new MalformedMessageError(`${this.what} did not start with an SOA`);
        this.serial = serial;
        this.state = 'second';
        return false;
      case 'second':
        if (serial === undefined) {
          // The AXFR form: the rest is the whole zone.
          this.abandoned = true;
          this.state = 'done';
          return true;
        }
        if (serial === this.serial) {
          // The AXFR form of a zone without any RR but its SOA.
          this.state = 'done';
          return true;
        }
        this.openSequence(serial);
        return false;
      case 'deleting':
        if (serial === undefined) {
          this.sequence!.deleted.push(rr());
          return false;
        }
        this.sequence!.toSerial = serial;
        this.state = 'adding';
        return false;
      case 'adding':
        if (serial === undefined) {
          this.sequence!.added.push(rr());
          return false;
        }
        this.sequences.push(this.sequence!);
        this.sequence = undefined;
        if (serial === this.serial) {
          this.state = 'done';
          return true;
        }
        this.openSequence(serial);
        return false;
      case 'done':
        throw new MalformedMessageError(`${this.what}: RRs after the closing SOA`);
    }
  }

  private openSequence(fromSerial: number): void {
    this.sequence = { fromSerial, toSerial: fromSerial, deleted: [], added: [] };
    this.state = 'deleting';
  }

  endOfMessage(): boolean {
    if (this.state === 'opening') throw new EmptyTransferError(`${this.what} (empty answer)`);
    if (this.state === 'second') {
      // The SOA alone in the first message: RFC 1995 4's "you are current" reply.
      this.state = 'done';
      this.current = true;
      return true;
    }
    return false;
  }

  /** The reply, once `add` or `endOfMessage` said it is complete. */
  reply(): IxfrReply {
    if (this.state !== 'done') throw new MalformedMessageError(`${this.what} ended before its closing SOA`);
    if (this.current) return { kind: 'current', serial: this.serial };
    if (this.sequences.length > 0) return { kind: 'incremental', serial: this.serial, sequences: this.sequences };
    return { kind: 'full', serial: this.serial };
  }
}
