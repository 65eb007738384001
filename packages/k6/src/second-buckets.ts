import type { SecondAggregate } from "./aggregate-types.js";
import { decodeSparse, encodeSparse, recordSparse, type SparseHistogram } from "./series-histogram.js";

/** Which per-second column a metric's samples feed. */
export const SeriesRole = {
  None: 0,
  Requests: 1,
  FailedRequests: 2,
  Latency: 3,
  Vus: 4,
  DataSent: 5,
  DataReceived: 6,
  Checks: 7,
} as const;
export type SeriesRole = (typeof SeriesRole)[keyof typeof SeriesRole];

/** Seconds older than the newest one by more than this are encoded; later samples for them still count. */
const OPEN_SECONDS = 2;

interface Bucket {
  second: number;
  requests: number;
  failedRequests: number;
  vus: number | undefined;
  dataSent: number;
  dataReceived: number;
  checksPassed: number;
  checksFailed: number;
  /** Latencies of a recent second, or of an old one that received a late sample (then `encoded` is undefined). */
  live: SparseHistogram | undefined;
  /** Latencies encoded when the second was closed. */
  encoded: string | undefined;
}

/**
 * The per-second series while samples stream in. Memory is per second, not per sample: a
 * second's latency histogram is encoded (a few hundred bytes) once the stream has moved on.
 */
export class SecondBuckets {
  private readonly buckets = new Map<number, Bucket>();
  private last: Bucket | undefined;
  private newest = Number.NEGATIVE_INFINITY;
  private open: Bucket[] = [];

  /** Adds one sample of a metric with a series role, taken at epoch milliseconds `ms`. */
  add(role: SeriesRole, ms: number, value: number): void {
    const bucket = this.bucketAt(Math.floor(ms / 1000));
    switch (role) {
      case SeriesRole.Requests:
        bucket.requests += value;
        break;
      case SeriesRole.FailedRequests:
        if (value !== 0) bucket.failedRequests++;
        break;
      case SeriesRole.Latency:
        if (bucket.live === undefined) this.reopen(bucket);
        recordSparse(bucket.live as SparseHistogram, value);
        break;
      case SeriesRole.Vus:
        bucket.vus = value;
        break;
      case SeriesRole.DataSent:
        bucket.dataSent += value;
        break;
      case SeriesRole.DataReceived:
        bucket.dataReceived += value;
        break;
      case SeriesRole.Checks:
        if (value !== 0) bucket.checksPassed++;
        else bucket.checksFailed++;
        break;
    }
  }

  /** The seconds so far, ascending, in mergeable form. */
  toAggregate(): SecondAggregate[] {
    return [...this.buckets.values()]
      .sort((a, b) => a.second - b.second)
      .map((b) => {
        const latency = b.live === undefined ? b.encoded : encodeSparse(b.live);
        return {
          second: b.second,
          requests: b.requests,
          failedRequests: b.failedRequests,
          ...(b.vus === undefined ? {} : { vus: b.vus }),
          dataSent: b.dataSent,
          dataReceived: b.dataReceived,
          checksPassed: b.checksPassed,
          checksFailed: b.checksFailed,
          ...(latency === undefined ? {} : { latency }),
        };
      });
  }

  private bucketAt(second: number): Bucket {
    if (this.last?.second === second) return this.last;
    let bucket = this.buckets.get(second);
    if (bucket === undefined) {
      bucket = {
        second,
        requests: 0,
        failedRequests: 0,
        vus: undefined,
        dataSent: 0,
        dataReceived: 0,
        checksPassed: 0,
        checksFailed: 0,
        live: undefined,
        encoded: undefined,
      };
      this.buckets.set(second, bucket);
      if (second > this.newest) {
        this.newest = second;
        this.closeOldSeconds();
      }
    }
    this.last = bucket;
    return bucket;
  }

  private reopen(bucket: Bucket): void {
    bucket.live = bucket.encoded === undefined ? new Map() : decodeSparse(bucket.encoded, "latency");
    bucket.encoded = undefined;
    this.open.push(bucket);
  }

  private closeOldSeconds(): void {
    const stillOpen: Bucket[] = [];
    for (const bucket of this.open) {
      if (bucket.second >= this.newest - OPEN_SECONDS) stillOpen.push(bucket);
      else {
        bucket.encoded = encodeSparse(bucket.live as SparseHistogram);
        bucket.live = undefined;
      }
    }
    this.open = stillOpen;
  }
}
