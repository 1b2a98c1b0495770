import { describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/api/errors';
import { WindowCache } from './windowCache';

interface Page {
  rows: number;
  values: number[];
}

/** A fetcher over a computed sequence 0..n-1 that records each request and resolves when told. */
function source(n: number) {
  const calls: { offset: number; limit: number; resolve: () => void }[] = [];
  const fetch = (offset: number, limit: number): Promise<Result<Page>> =>
    new Promise((resolve) => {
      const rows = Math.max(0, Math.min(limit, n - offset));
      const values = Array.from({ length: rows }, (_, i) => offset + i);
      calls.push({ offset, limit, resolve: () => resolve({ ok: true, value: { rows, values } }) });
    });
  return { calls, fetch };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('WindowCache', () => {
  it('fetches each page once while in flight and serves rows from it', async () => {
    const s = source(2000);
    const cache = new WindowCache(s.fetch, 2000, { pageSize: 500, concurrency: 4 });
    cache.want(0, 40);
    cache.want(10, 60);
    cache.want(0, 40);
    expect(s.calls.map((c) => c.offset)).toEqual([0]);
    expect(cache.locate(5)).toBeNull();
    s.calls[0].resolve();
    await flush();
    const hit = cache.locate(499);
    expect(hit?.page.values[hit.index]).toBe(499);
    cache.want(480, 520);
    expect(s.calls.map((c) => c.offset)).toEqual([0, 500]);
  });

  it('asks for a short last page and reaches the last row', async () => {
    const s = source(5_000_000);
    const cache = new WindowCache(s.fetch, 5_000_000, { pageSize: 500 });
    cache.want(4_999_975, 5_000_000);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ offset: 4_999_500, limit: 500 });
    s.calls[0].resolve();
    await flush();
    const last = cache.locate(4_999_999);
    expect(last?.page.values[last.index]).toBe(4_999_999);
  });

  it('drops queued pages the viewport no longer wants', async () => {
    const s = source(100_000);
    const cache = new WindowCache(s.fetch, 100_000, { pageSize: 100, concurrency: 1 });
    cache.want(0, 350); // pages 0..3, only page 0 starts
    cache.want(50_000, 50_050); // the user jumped: pages 1..3 are dropped from the queue
    expect(s.calls.map((c) => c.offset)).toEqual([0]);
    s.calls[0].resolve();
    await flush();
    expect(s.calls.map((c) => c.offset)).toEqual([0, 50_000]);
  });

  it('evicts the least recently used pages', async () => {
    const s = source(10_000);
    const cache = new WindowCache(s.fetch, 10_000, { pageSize: 100, maxPages: 2, concurrency: 5 });
    for (const start of [0, 100, 200]) {
      cache.want(start, start + 10);
      s.calls[s.calls.length - 1].resolve();
      await flush();
    }
    expect(cache.locate(0)).toBeNull();
    expect(cache.locate(150)).not.toBeNull();
    expect(cache.locate(250)).not.toBeNull();
  });

  it('reads an arbitrary range for copy, fetching missing pages', async () => {
    const s = source(1000);
    const cache = new WindowCache(s.fetch, 1000, { pageSize: 100 });
    const pending = cache.rows(95, 205);
    await flush();
    s.calls[0].resolve();
    await flush();
    s.calls[1].resolve();
    await flush();
    s.calls[2].resolve();
    const res = await pending;
    expect(res.ok).toBe(true);
    if (res.ok) {
      expect(res.value.map((r) => r.page.values[r.index])).toEqual(Array.from({ length: 110 }, (_, i) => 95 + i));
    }
  });

  it('keeps the error of a failed window and retries later', async () => {
    let fail = true;
    const cache = new WindowCache<Page>(
      async (offset, limit) =>
        fail
          ? { ok: false, error: { code: 'NOT_FOUND', message: 'The result was closed.' } }
          : { ok: true, value: { rows: limit, values: Array.from({ length: limit }, (_, i) => offset + i) } },
      300,
      { pageSize: 100 },
    );
    cache.want(0, 10);
    await flush();
    expect(cache.error?.code).toBe('NOT_FOUND');
    fail = false;
    cache.want(0, 10);
    await flush();
    expect(cache.error).toBeNull();
    expect(cache.locate(3)?.index).toBe(3);
  });
});
