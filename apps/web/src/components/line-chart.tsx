import { anchor, linear, niceMax, spreadIndexes } from "./chart-scale.js";

/** One line of a chart: x is a time in ms since the epoch. */
export interface LineSeries {
  name: string;
  /** CSS class suffix picking the colour (`stroke-<tone>`). */
  tone: string;
  points: { x: number; y: number; tone?: string; note?: string }[];
  /** Draw a dot per point (coloured by the point's tone when it has one). */
  dots?: boolean;
}

const PAD = { left: 56, right: 10, top: 10, bottom: 24 };

/** Lines over time on a shared y axis starting at zero, hand-drawn in SVG. */
export function LineChart(props: {
  title: string;
  series: LineSeries[];
  formatY: (v: number) => string;
  formatX: (x: number) => string;
  height?: number;
  /** Width of the drawing in SVG units: about the pixel width it is shown at, so text keeps its size. */
  width?: number;
}) {
  const H = props.height ?? 200;
  const W = props.width ?? 720;
  const all = props.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const top = niceMax(Math.max(0, ...all.map((p) => p.y)));
  const x = linear(x0, x1, PAD.left, W - PAD.right);
  const y = linear(0, top, H - PAD.bottom, PAD.top);
  const ticks = [0, top / 4, top / 2, (3 * top) / 4, top];
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title} class="chart-svg">
        <title>{props.title}</title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} class="grid" />
            <text x={PAD.left - 6} y={y(tick) + 4} class="axis" text-anchor="end">
              {props.formatY(tick)}
            </text>
          </g>
        ))}
        {spreadIndexes(xTicks.length, 6).map((i) => {
          const value = xTicks[i];
          if (value === undefined) return null;
          return (
            <text key={value} x={x(value)} y={H - 6} class="axis" text-anchor={anchor(i, xTicks.length)}>
              {props.formatX(value)}
            </text>
          );
        })}
        {props.series.map((series) => (
          <g key={series.name} class={`series stroke-${series.tone}`}>
            <path
              class="line"
              d={series.points.map((p, i) => `${i ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join("")}
            />
            {series.dots &&
              series.points.map((p) => (
                <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={3.5} class={`dot fill-${p.tone ?? series.tone}`}>
                  {p.note && <title>{p.note}</title>}
                </circle>
              ))}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {props.series.map((s) => (
          <span key={s.name} class="legend-item">
            <span class={`swatch fill-${s.tone}`} aria-hidden="true" />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
