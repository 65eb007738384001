import { build, type JsHistogram } from "hdr-histogram-js";
import { HISTOGRAM_SCALE } from "./aggregate-types.js";
import { quantilesOfBuckets } from "./quantiles.js";

/**
 * Per-second latency histograms keep 2 significant digits (1 % relative error): plenty for a chart,
 * and at most ~128 buckets per doubling of latency, so an hour of seconds stays a few MB even
 * under heavy load. They are kept sparse (bucket index → count) and encoded without compression,
 * because deflate's setup would cost more per second than the few hundred bytes it saves.
 */
export const SERIES_DIGITS = 2;

/** Bucket index → sample count. Indexes are HdrHistogram counts-array indexes for {@link SERIES_DIGITS}. */
export type SparseHistogram = Map<number, number>;

// Only used for HdrHistogram's value ↔ index arithmetic, which does not depend on the array size.
const layout: JsHistogram = build({
  numberOfSignificantValueDigits: SERIES_DIGITS,
  lowestDiscernibleValue: 1,
  useWebAssembly: false,
}) as JsHistogram;

const COOKIE = 0x1c849313; // HdrHistogram V2 encoding, 9-byte ZigZag LEB128 words
const HEADER_BYTES = 40;
const MAX_SCALED = Number.MAX_SAFE_INTEGER;

/** Adds one (non-negative) sample, in ms, to a sparse histogram. */
export function recordSparse(histogram: SparseHistogram, value: number): void {
  const scaled = Math.round(value * HISTOGRAM_SCALE);
  const index = layout.countsArrayIndex(scaled > 0 ? Math.min(scaled, MAX_SCALED) : 0);
  histogram.set(index, (histogram.get(index) ?? 0) + 1);
}

/** Adds every count of `from` into `into`. */
export function addSparse(into: SparseHistogram, from: SparseHistogram): void {
  for (const [index, count] of from) into.set(index, (into.get(index) ?? 0) + count);
}

/** Values in ms at the given quantiles (0..1): each the upper edge of its bucket. */
export function sparseQuantiles(histogram: SparseHistogram, quantiles: number[]): number[] {
  const indexes = [...histogram.keys()].sort((a, b) => a - b);
  const values = indexes.map((i) => layout.highestEquivalentValue(layout.valueFromIndex(i)) / HISTOGRAM_SCALE);
  return quantilesOfBuckets(
    values,
    indexes.map((i) => histogram.get(i) ?? 0),
    quantiles,
  );
}

/** HdrHistogram V2 (uncompressed) encoding of a sparse histogram, base64. Any HdrHistogram decoder reads it. */
export function encodeSparse(histogram: SparseHistogram): string {
  const indexes = [...histogram.keys()].sort((a, b) => a - b);
  const bytes = new Uint8Array(HEADER_BYTES + indexes.length * 18);
  const view = new DataView(bytes.buffer);
  let pos = HEADER_BYTES;
  const put = (value: number) => {
    pos = writeZigZag(bytes, pos, value);
  };
  let next = 0;
  for (const index of indexes) {
    const zeros = index - next;
    if (zeros === 1) put(0);
    else if (zeros > 1) put(-zeros);
    put(histogram.get(index) ?? 0);
    next = index + 1;
  }
  const last = indexes.at(-1) ?? 0;
  view.setUint32(0, COOKIE);
  view.setUint32(4, pos - HEADER_BYTES);
  view.setUint32(8, 0); // normalizing index offset
  view.setUint32(12, SERIES_DIGITS);
  setInt64(view, 16, 1); // lowest discernible value
  setInt64(view, 24, Math.max(2, layout.highestEquivalentValue(layout.valueFromIndex(last))));
  view.setFloat64(32, 1); // integer-to-double conversion ratio
  return Buffer.from(bytes.buffer, 0, pos).toString("base64");
}

/** Decodes {@link encodeSparse}'s output; throws naming `path` when it is not one. */
export function decodeSparse(text: string, path: string): SparseHistogram {
  const bytes = Buffer.from(text, "base64");
  const fail = (problem: string): never => {
    throw new Error(`${path}: not a per-second latency histogram (${problem})`);
  };
  if (bytes.length < HEADER_BYTES) fail("too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0) !== COOKIE) fail("not an uncompressed HdrHistogram V2 encoding");
  const length = view.getUint32(4);
  if (HEADER_BYTES + length > bytes.length) fail("payload shorter than its header says");
  if (view.getUint32(12) !== SERIES_DIGITS) fail(`expected ${SERIES_DIGITS} significant digits`);
  if (view.getUint32(16) !== 0 || view.getUint32(20) !== 1) fail("expected a lowest discernible value of 1");
  const histogram: SparseHistogram = new Map();
  const end = HEADER_BYTES + length;
  let pos = HEADER_BYTES;
  let index = 0;
  while (pos < end) {
    const [value, after] = readZigZag(bytes, pos, end);
    if (after < 0) fail("truncated count");
    pos = after;
    if (value < 0) index -= value;
    else {
      if (value > 0) histogram.set(index, value);
      index++;
    }
  }
  return histogram;
}

function setInt64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 4, value % 2 ** 32);
}

/** ZigZag LEB128 as HdrHistogram writes it (up to 9 bytes), with float arithmetic so values up to 2^53 survive. */
function writeZigZag(bytes: Uint8Array, pos: number, signed: number): number {
  let value = signed >= 0 ? signed * 2 : -signed * 2 - 1;
  let p = pos;
  for (let i = 0; i < 8 && value >= 0x80; i++) {
    bytes[p++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  bytes[p++] = value;
  return p;
}

/** Reads one ZigZag LEB128 word; the returned position is -1 when the word runs past `end`. */
function readZigZag(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let factor = 1;
  let p = pos;
  for (let i = 0; i < 9; i++) {
    if (p >= end) return [0, -1];
    const byte = bytes[p++] ?? 0;
    value += (i < 8 ? byte & 0x7f : byte) * factor;
    if (i === 8 || (byte & 0x80) === 0) break;
    factor *= 0x80;
  }
  return [value % 2 === 0 ? value / 2 : -(value + 1) / 2, p];
}
