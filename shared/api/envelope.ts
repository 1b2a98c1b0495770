/**
 * A compact envelope for sending JSON values that contain Uint8Array (Arrow IPC bytes)
 * over HTTP or WebSocket without base64: [u32 header length][JSON header][binary parts...].
 * Byte arrays in the value are replaced by `{ "$bin": index }` markers in the header.
 */
const BIN = '$bin';

export function encodeEnvelope(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  const json = JSON.stringify(value, function replacer(_key, v: unknown) {
    if (v instanceof Uint8Array) {
      parts.push(v);
      return { [BIN]: parts.length - 1, length: v.byteLength };
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  const header = new TextEncoder().encode(json);
  let total = 4 + header.byteLength;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function decodeEnvelope(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 4) throw new Error('Envelope too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new Error('Envelope header runs past its end');
  const header = new TextDecoder().decode(bytes.subarray(4, 4 + headerLength));
  const parsed: unknown = JSON.parse(header);
  // Binary parts follow in order; compute their offsets from the recorded lengths.
  const offsets: { start: number; length: number }[] = [];
  collectBins(parsed, offsets);
  offsets.sort((a, b) => a.start - b.start);
  let at = 4 + headerLength;
  const slices = new Map<number, Uint8Array>();
  for (const o of offsets) {
    slices.set(o.start, bytes.subarray(at, at + o.length));
    at += o.length;
  }
  return revive(parsed, slices);
}

function isBinMarker(v: unknown): v is { $bin: number; length: number } {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[BIN] === 'number';
}

function collectBins(v: unknown, out: { start: number; length: number }[]): void {
  if (isBinMarker(v)) {
    out.push({ start: v.$bin, length: v.length });
  } else if (Array.isArray(v)) {
    for (const x of v) collectBins(x, out);
  } else if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) collectBins(x, out);
  }
}

function revive(v: unknown, slices: Map<number, Uint8Array>): unknown {
  if (isBinMarker(v)) return slices.get(v.$bin) ?? new Uint8Array(0);
  if (Array.isArray(v)) return v.map((x) => revive(x, slices));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = revive(x, slices);
    return out;
  }
  return v;
}
