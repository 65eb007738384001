import { formatAxisTime, formatDateTime } from "../format/time.js";
import { anchor, linear, niceMax, spreadIndexes } from "./chart-scale.js";

/** Run counts of one time bucket, by outcome. */
export interface ResultBucket {
  start: Date;
  pass: number;
  fail: number;
  error: number;
  cancelled: number;
}

const SERIES = [
  { key: "pass", label: "Pass" },
  { key: "fail", label: "Fail" },
  { key: "error", label: "Error / timed out" },
  { key: "cancelled", label: "Cancelled" },
] as const;

const H = 200;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

/** Stacked bars of pass / fail / error / cancelled runs per time bucket, hand-drawn in SVG. */
export function ResultBarsChart(props: { buckets: ResultBucket[]; spanMs: number; title: string; width?: number }) {
  const { buckets, spanMs, title } = props;
  const W = props.width ?? 1200;
  const total = (b: ResultBucket) => b.pass + b.fail + b.error + b.cancelled;
  const top = niceMax(Math.max(0, ...buckets.map(total)));
  const y = linear(0, top, H - PAD.bottom, PAD.top);
  const slot = (W - PAD.left - PAD.right) / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.72);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} class="chart-svg">
        <title>{title}</title>
        {[0, top / 2, top].map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} class="grid" />
            <text x={PAD.left - 6} y={y(tick) + 4} class="axis" text-anchor="end">
              {Number.isInteger(tick) ? tick : tick.toFixed(1)}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          let base = 0;
          const x = PAD.left + i * slot + (slot - barWidth) / 2;
          return (
            <g key={bucket.start.getTime()}>
              <title>
                {`${formatDateTime(bucket.start)}: ${bucket.pass} pass, ${bucket.fail} fail, ${bucket.error} error, ${bucket.cancelled} cancelled`}
              </title>
              {SERIES.map(({ key }) => {
                const value = bucket[key];
                if (!value) return null;
                const rect = (
                  <rect
                    key={key}
                    x={x}
                    width={barWidth}
                    y={y(base + value)}
                    height={y(base) - y(base + value)}
                    class={`fill-${key}`}
                  />
                );
                base += value;
                return rect;
              })}
            </g>
          );
        })}
        {spreadIndexes(buckets.length, 6).map((i) => {
          const bucket = buckets[i];
          if (!bucket) return null;
          return (
            <text
              key={i}
              x={PAD.left + i * slot + slot / 2}
              y={H - 6}
              class="axis"
              text-anchor={anchor(i, buckets.length)}
            >
              {formatAxisTime(bucket.start, spanMs)}
            </text>
          );
        })}
      </svg>
      <figcaption class="legend">
        {SERIES.map(({ key, label }) => (
          <span key={key} class="legend-item">
            <span class={`swatch fill-${key}`} aria-hidden="true" />
            {label} <strong data-count={key}>{buckets.reduce((sum, b) => sum + b[key], 0)}</strong>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
