import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';

/**
 * `COPY … TO STDOUT` as a readable stream of the COPY's bytes: pg-copy-streams' stream (which takes the
 * connection's socket over for the COPY and hands it back to pg after it, or at an error), with its framing
 * parse replaced by one that strips the protocol's message headers in place.
 *
 * PostgreSQL sends one CopyData message per row (protocol docs, "COPY Operations"), so a 5M-row COPY is 5M
 * messages. pg-copy-streams 7 cuts each one out as its own Buffer slice into a list, then concatenates them:
 * 717 ms of main-thread CPU per 5M telemetry rows, where moving each payload to the front of the socket chunk
 * it arrived in takes 140 ms (measured on this machine with 64 KB chunks). The archive and the mirror sync
 * decode on that same thread, so that time was theirs.
 *
 * The contract of the library's parse is kept: an ErrorResponse at a message boundary hands every byte from it
 * on back to pg (which then fails the query); CopyDone, or any message not expected inside a COPY, ends the
 * stream and hands the bytes after it back to pg (CommandComplete with the row count, ReadyForQuery).
 */

/** The library's stream, with the private members its parse uses (pg-copy-streams 7.0.0, copy-to.js). */
interface CopyToInternals {
  _buffer: { push(b: Buffer): void };
  _detach(): void;
  _cleanup(): void;
  _parse(chunk: Buffer): boolean | undefined;
  push(chunk: Buffer | null): boolean;
}

const CODE = { copyData: 0x64, copyOut: 0x48, parameterStatus: 0x53, notice: 0x4e, notification: 0x41, error: 0x45 } as const;
/** Messages that may arrive between CopyOutResponse and CopyDone and are not data. */
const PASSING: ReadonlySet<number> = new Set([CODE.copyOut, CODE.parameterStatus, CODE.notice, CODE.notification]);
const HEADER = 5;

/** The framing parser of one COPY: strips message headers from each chunk in place; see the module comment. */
export function framingParser(stream: CopyToInternals): (chunk: Buffer) => boolean | undefined {
  /** Content bytes still to come of the message being read, and whether they are data. */
  let left = 0;
  let data = false;
  /** The message the last chunk stopped inside of, after its content: true when it ends the COPY. */
  let endsAfter = false;
  /** A header split across chunks. */
  const head = Buffer.alloc(HEADER);
  let headHave = 0;

  return (chunk: Buffer): boolean | undefined => {
    let r = 0;
    let w = 0;
    let done = false;
    const len = chunk.length;
    while (r < len || (left === 0 && endsAfter)) {
      if (left > 0) {
        const n = Math.min(left, len - r);
        if (data) {
          if (w !== r) chunk.copyWithin(w, r, r + n);
          w += n;
        }
        r += n;
        left -= n;
        if (left > 0) break;
      }
      if (endsAfter) {
        done = true;
        break;
      }
      // A message starts at r.
      let code: number;
      let size: number;
      if (headHave === 0 && r + HEADER <= len) {
        code = chunk[r];
        if (code === CODE.error) return handBack(chunk.subarray(r));
        size = chunk.readInt32BE(r + 1);
        r += HEADER;
      } else {
        if (headHave === 0 && chunk[r] === CODE.error) return handBack(chunk.subarray(r));
        while (headHave < HEADER && r < len) head[headHave++] = chunk[r++];
        if (headHave < HEADER) break;
        headHave = 0;
        code = head[0];
        if (code === CODE.error) return handBack(Buffer.concat([head, chunk.subarray(r)]));
        size = head.readInt32BE(1);
      }
      left = size - 4;
      data = code === CODE.copyData;
      endsAfter = !data && !PASSING.has(code);
    }
    if (w > 0) {
      // The library's parse reports its drain state only from this push; a chunk with no data keeps reading.
      const drained = stream.push(chunk.subarray(0, w));
      if (!done) return drained;
    }
    if (!done) return true;
    endsAfter = false;
    stream._buffer.push(chunk.subarray(r));
    stream._detach();
    stream.push(null);
    stream._cleanup();
    // Nothing more is read from the connection for this COPY: it is pg's again.
    return false;
  };

  function handBack(rest: Buffer): undefined {
    stream._buffer.push(rest);
    stream._detach();
    return undefined;
  }
}

/** `copyTo(sql)` of pg-copy-streams, parsing its framing with framingParser. */
export function copyOutStream(sql: string): CopyToStreamQuery {
  const stream = copyTo(sql);
  const internals = stream as unknown as CopyToInternals;
  internals._parse = framingParser(internals);
  return stream;
}
