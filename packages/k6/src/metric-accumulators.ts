import type { JsHistogram } from "hdr-histogram-js";
import type { MetricAggregate } from "./aggregate-types.js";
import { encodeTrendHistogram, newTrendHistogram, recordScaled } from "./trend-histogram.js";
import type { MetricType } from "./types.js";

/** Running state of one metric or submetric while samples stream in. */
export interface MetricAccumulator {
  add(value: number): void;
  /** The mergeable state so far (the accumulator keeps going). */
  toAggregate(contains: string | undefined): MetricAggregate;
}

/** A fresh accumulator for a metric of `type`. */
export function newAccumulator(type: MetricType): MetricAccumulator {
  switch (type) {
    case "trend":
      return new TrendAccumulator();
    case "rate":
      return new RateAccumulator();
    case "counter":
      return new CounterAccumulator();
    case "gauge":
      return new GaugeAccumulator();
  }
}

const withContains = (contains: string | undefined) => (contains === undefined ? {} : { contains });

/** Exact count/sum/min/max beside an HdrHistogram (negative samples, rare, in a mirrored one). */
class TrendAccumulator implements MetricAccumulator {
  private readonly positive = newTrendHistogram();
  private negative: JsHistogram | undefined;
  private count = 0;
  private sum = 0;
  private compensation = 0; // Neumaier summation: avg stays exact to the last bits over millions of samples
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.count++;
    const total = this.sum + value;
    this.compensation += Math.abs(this.sum) >= Math.abs(value) ? this.sum - total + value : value - total + this.sum;
    this.sum = total;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value >= 0) recordScaled(this.positive, value);
    else {
      this.negative ??= newTrendHistogram();
      recordScaled(this.negative, -value);
    }
  }

  toAggregate(contains: string | undefined): MetricAggregate {
    const empty = this.count === 0;
    return {
      type: "trend",
      ...withContains(contains),
      trend: {
        histogram: encodeTrendHistogram(this.positive),
        ...(this.negative ? { negativeHistogram: encodeTrendHistogram(this.negative) } : {}),
        count: this.count,
        sum: this.sum + this.compensation,
        min: empty ? 0 : this.min,
        max: empty ? 0 : this.max,
      },
    };
  }
}

/** k6 counts a rate sample as a pass when it is non-zero. */
class RateAccumulator implements MetricAccumulator {
  private passes = 0;
  private fails = 0;

  add(value: number): void {
    if (value !== 0) this.passes++;
    else this.fails++;
  }

  toAggregate(contains: string | undefined): MetricAggregate {
    return { type: "rate", ...withContains(contains), rate: { passes: this.passes, fails: this.fails } };
  }
}

class CounterAccumulator implements MetricAccumulator {
  private sum = 0;
  private samples = 0;

  add(value: number): void {
    this.sum += value;
    this.samples++;
  }

  toAggregate(contains: string | undefined): MetricAggregate {
    return { type: "counter", ...withContains(contains), counter: { sum: this.sum, samples: this.samples } };
  }
}

/** Like k6's GaugeSink: the last sample received, and the extremes. */
class GaugeAccumulator implements MetricAccumulator {
  private value = 0;
  private min = 0;
  private max = 0;
  private samples = 0;

  add(value: number): void {
    this.value = value;
    if (this.samples === 0 || value < this.min) this.min = value;
    if (this.samples === 0 || value > this.max) this.max = value;
    this.samples++;
  }

  toAggregate(contains: string | undefined): MetricAggregate {
    const { value, min, max, samples } = this;
    return { type: "gauge", ...withContains(contains), gauge: { value, min, max, samples } };
  }
}
