/**
 * Reads k6's RFC 3339 timestamps (`2024-08-22T01:13:59.892709931-03:00`, `…Z`) into epoch
 * milliseconds (to the microsecond), fast: consecutive samples mostly share their whole second and zone, so those are
 * reused from the previous call and only the fraction is read. Returns NaN for anything else.
 */
export function createRfc3339Clock(): (text: string) => number {
  let lastPrefix = "";
  let lastZone = "";
  let lastSecondMs = 0;
  return (text) => {
    if (text.length < 20) return Number.NaN;
    let pos = 19;
    let fractionMs = 0;
    if (text.charCodeAt(pos) === 46 /* . */) {
      pos++;
      let scale = 100;
      const start = pos;
      // Whole microseconds only: finer digits would round an epoch-ms float up into the next second.
      for (let c = text.charCodeAt(pos); c >= 48 && c <= 57; c = text.charCodeAt(++pos)) {
        if (scale >= 0.001) fractionMs += (c - 48) * scale;
        scale /= 10;
      }
      if (pos === start) return Number.NaN;
    }
    const zoneLength = text.length - pos;
    if (zoneLength === lastZone.length && text.startsWith(lastPrefix) && text.endsWith(lastZone) && lastPrefix) {
      return lastSecondMs + fractionMs;
    }
    const secondMs = wholeSecondMs(text, pos);
    if (Number.isNaN(secondMs)) return secondMs;
    lastPrefix = text.slice(0, 19);
    lastZone = text.slice(pos);
    lastSecondMs = secondMs;
    return secondMs + fractionMs;
  };
}

/** Epoch ms of the whole second in `text`, whose zone designator starts at `zonePos`. */
function wholeSecondMs(text: string, zonePos: number): number {
  const sep = text.charCodeAt(10);
  if (text[4] !== "-" || text[7] !== "-" || (sep !== 84 && sep !== 116 && sep !== 32) || text[13] !== ":") {
    return Number.NaN;
  }
  if (text[16] !== ":") return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const offset = zoneOffsetMinutes(text, zonePos);
  return Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000;
}

/** Minutes east of UTC for `Z`/`z` or `±HH:MM`; NaN otherwise. */
function zoneOffsetMinutes(text: string, pos: number): number {
  const sign = text[pos];
  if ((sign === "Z" || sign === "z") && text.length === pos + 1) return 0;
  if ((sign !== "+" && sign !== "-") || text.length !== pos + 6 || text[pos + 3] !== ":") return Number.NaN;
  const minutes = digits(text, pos + 1, 2) * 60 + digits(text, pos + 4, 2);
  return sign === "-" ? -minutes : minutes;
}

/** The decimal number in `text[start, start + count)`; NaN if any character is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  return value;
}
