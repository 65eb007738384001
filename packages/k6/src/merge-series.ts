import type { SecondAggregate } from "./aggregate-types.js";
import { addSparse, decodeSparse, encodeSparse } from "./series-histogram.js";

/**
 * Merges per-second series of shards by second: counts add, latency histograms add, and `vus` is
 * the sum over shards of each shard's last vus sample at or before that second (a shard whose
 * sample fell into the next second still counts with its previous value). Input series must be
 * ascending, as aggregates keep them.
 */
export function mergeSeries(parts: SecondAggregate[][]): SecondAggregate[] {
  const seconds = [...new Set(parts.flatMap((p) => p.map((s) => s.second)))].sort((a, b) => a - b);
  const cursor = parts.map(() => 0);
  const lastVus: (number | undefined)[] = parts.map(() => undefined);
  return seconds.map((second) => {
    const merged: SecondAggregate = {
      second,
      requests: 0,
      failedRequests: 0,
      dataSent: 0,
      dataReceived: 0,
      checksPassed: 0,
      checksFailed: 0,
    };
    const latencies: string[] = [];
    parts.forEach((part, p) => {
      const at = part[cursor[p] ?? 0];
      if (at?.second !== second) return;
      cursor[p] = (cursor[p] ?? 0) + 1;
      merged.requests += at.requests;
      merged.failedRequests += at.failedRequests;
      merged.dataSent += at.dataSent;
      merged.dataReceived += at.dataReceived;
      merged.checksPassed += at.checksPassed;
      merged.checksFailed += at.checksFailed;
      if (at.vus !== undefined) lastVus[p] = at.vus;
      if (at.latency !== undefined) latencies.push(at.latency);
    });
    if (lastVus.some((v) => v !== undefined)) merged.vus = lastVus.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    if (latencies.length === 1) merged.latency = latencies[0] as string;
    else if (latencies.length > 1) {
      const sum = decodeSparse(latencies[0] as string, `series[${second}].latency`);
      for (const l of latencies.slice(1)) addSparse(sum, decodeSparse(l, `series[${second}].latency`));
      merged.latency = encodeSparse(sum);
    }
    return merged;
  });
}
