import { formatDateTime, relativeTime } from "../format/time.js";

/** A relative time ("3 min ago") with the exact local time on hover and for assistive tech. */
export function TimeText({ date }: { date: Date | undefined }) {
  if (!date) return <span class="muted">—</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {relativeTime(date)}
    </time>
  );
}
