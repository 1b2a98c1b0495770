import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOutStream, framingParser } from './copy-out-stream';
import { HotStore } from './hot-store';

/** A protocol message: code, int32 length (itself included), content. */
function msg(code: string, content: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** The members of the library's stream that the parser uses, recording what it does with them. */
function fakeStream() {
  const out = { data: [] as Buffer[], handedBack: [] as Buffer[], detached: 0, ended: false, cleaned: false };
  const stream = {
    _buffer: { push: (b: Buffer) => void out.handedBack.push(Buffer.from(b)) },
    _detach: () => void out.detached++,
    _cleanup: () => void (out.cleaned = true),
    _parse: (): boolean => true,
    push: (b: Buffer | null) => {
      if (b === null) out.ended = true;
      else out.data.push(Buffer.from(b));
      return true;
    },
  };
  return { stream, out };
}

/** `bytes` fed to a fresh parser in pieces of `step` bytes (each a copy: the parser rewrites its chunk in place). */
function feed(bytes: Buffer, step: number) {
  const { stream, out } = fakeStream();
  const parse = framingParser(stream);
  for (let p = 0; p < bytes.length && out.detached === 0; p += step) parse(Buffer.from(bytes.subarray(p, p + step)));
  return {
    data: Buffer.concat(out.data),
    handedBack: Buffer.concat(out.handedBack),
    detached: out.detached,
    ended: out.ended,
    cleaned: out.cleaned,
  };
}

describe('COPY framing parser', () => {
  const rows = ['first row', '', 'a longer third row with more bytes in it', 'x'.repeat(300)];
  const after = Buffer.concat([msg('C', 'COPY 4\0'), msg('Z', 'I')]);
  const copy = Buffer.concat([
    msg('H', Buffer.from([1, 0, 0])),
    msg('d', rows[0]),
    msg('N', 'SNOTICE\0Mnoisy\0\0'),
    msg('d', rows[1]),
    msg('S', 'application_name\0bw\0'),
    msg('d', rows[2]),
    msg('A', Buffer.alloc(12, 7)),
    msg('d', rows[3]),
    msg('c'),
    after,
  ]);

  it('keeps only the rows, in any chunking, and hands what follows CopyDone back to pg', () => {
    for (let step = 1; step <= copy.length; step++) {
      const got = feed(copy, step);
      expect(got.data.toString(), `step ${step}`).toBe(rows.join(''));
      expect(got.ended && got.cleaned && got.detached === 1, `step ${step}`).toBe(true);
      // Bytes past the chunk CopyDone ends in never reached the parser: pg reads them from the socket itself.
      const end = copy.length - after.length;
      expect(got.handedBack, `step ${step}`).toEqual(copy.subarray(end, Math.min(copy.length, Math.ceil(end / step) * step)));
    }
  });

  it('hands an ErrorResponse back to pg from its first byte, in any chunking, and ends nothing itself', () => {
    const error = Buffer.concat([msg('E', 'SERROR\0C22012\0Mdivision by zero\0\0'), msg('Z', 'I')]);
    const failing = Buffer.concat([msg('H', Buffer.from([1, 0, 0])), msg('d', rows[0]), msg('d', rows[2]), error]);
    for (let step = 1; step <= failing.length; step++) {
      const got = feed(failing, step);
      const start = failing.length - error.length;
      expect(got.detached, `step ${step}`).toBe(1);
      expect(got.ended || got.cleaned, `step ${step}`).toBe(false);
      expect(got.handedBack, `step ${step}`).toEqual(
        failing.subarray(start, Math.min(failing.length, Math.ceil((start + 1) / step) * step)),
      );
    }
  });
});

describe('COPY TO STDOUT through the fast framing, against a real PostgreSQL', () => {
  let dir: string;
  let hot: HotStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-copyout-'));
    hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
    await hot.withClient((c) =>
      c.query(`CREATE FUNCTION noisy(g int) RETURNS int LANGUAGE plpgsql AS $$
        BEGIN IF g % 50000 = 0 THEN RAISE NOTICE 'row %', g; END IF; RETURN g; END $$`),
    );
  }, 120_000);

  afterAll(async () => {
    await hot?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function bytesOf(c: pg.Client, stream: CopyToStreamQuery): Promise<{ bytes: Buffer; rows: number }> {
    const parts: Buffer[] = [];
    await pipeline(
      c.query(stream),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          parts.push(Buffer.from(chunk));
          cb();
        },
      }),
    );
    return { bytes: Buffer.concat(parts), rows: stream.rowCount };
  }

  it('gives the very bytes and row count pg-copy-streams gives, notices in the stream, in every format', async () => {
    const query = `SELECT g, noisy(g), repeat('é', g % 40) AS s, g / 7.0 AS q FROM generate_series(1, 300000) g`;
    await hot.withClient(async (c) => {
      // What arrives on the socket during the COPYs, to see the notices among the rows.
      const socket = (c as unknown as { connection: { stream: { read: (n?: number) => Buffer | null } } }).connection.stream;
      const read = socket.read.bind(socket);
      const wire: Buffer[] = [];
      socket.read = (n) => {
        const b = read(n);
        if (b) wire.push(Buffer.from(b));
        return b;
      };
      for (const format of ['binary', 'text', 'csv']) {
        const sql = `COPY (${query}) TO STDOUT WITH (FORMAT ${format})`;
        const ours = await bytesOf(c, copyOutStream(sql));
        const theirs = await bytesOf(c, copyTo(sql));
        expect(ours.rows, format).toBe(300000);
        expect(theirs.rows, format).toBe(300000);
        expect(ours.bytes.length, format).toBeGreaterThan(5_000_000);
        expect(ours.bytes.equals(theirs.bytes), format).toBe(true);
      }
      // Six notices per COPY (rows 50,000 to 300,000) came inside the COPY's messages, and none reached the rows.
      expect(
        Buffer.concat(wire)
          .toString('latin1')
          .match(/row [0-9]+0000\0/g)?.length,
      ).toBe(6 * 2 * 3);
      // The connection is pg's again after each COPY.
      expect((await c.query('SELECT 42 AS n')).rows[0].n).toBe(42);
    });
  });

  it('fails a COPY that fails mid-stream with PostgreSQL own error, and the connection serves the next query', async () => {
    await hot.withClient(async (c) => {
      const sql = `COPY (SELECT g, 1 / (g - 200000) FROM generate_series(1, 400000) g) TO STDOUT WITH (FORMAT binary)`;
      await expect(bytesOf(c, copyOutStream(sql))).rejects.toThrow(/division by zero/);
      expect((await c.query('SELECT 42 AS n')).rows[0].n).toBe(42);
    });
  });
});
