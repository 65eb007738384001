/** Text as a stream of chunks split anywhere: a file stream, a socket, an async generator. */
export type TextSource = AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream;

/** Options of {@link forEachLine}. */
export interface LineOptions {
  /** Longest line kept, in UTF-16 code units; longer ones go to `onOverlong` instead. Default 1 MiB. */
  maxLineLength?: number;
  /** Called once per line longer than `maxLineLength`, which is dropped. */
  onOverlong?: () => void;
}

/**
 * Calls `onLine` for every line of `source` (without its `\n` or `\r\n`), reading chunk by chunk:
 * only the current chunk and one unfinished line are ever held, and a line longer than
 * `maxLineLength` is dropped as it arrives rather than buffered. Byte chunks are decoded as UTF-8,
 * also when a character is split between chunks. Resolves with the number of lines seen.
 */
export async function forEachLine(
  source: TextSource,
  onLine: (line: string) => void,
  options: LineOptions = {},
): Promise<number> {
  const maxLength = options.maxLineLength ?? 1024 * 1024;
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let dropping = false;
  let count = 0;
  const emit = (line: string) => {
    count++;
    if (dropping || line.length > maxLength) {
      dropping = false;
      options.onOverlong?.();
    } else onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  };
  const take = (chunk: string) => {
    let start = 0;
    let text = chunk;
    if (pending) {
      const newline = chunk.indexOf("\n");
      if (newline < 0) {
        pending += chunk;
        if (pending.length > maxLength) {
          pending = "";
          dropping = true;
        }
        return;
      }
      emit(pending + chunk.slice(0, newline));
      pending = "";
      start = newline + 1;
    }
    for (let newline = text.indexOf("\n", start); newline >= 0; newline = text.indexOf("\n", start)) {
      emit(text.slice(start, newline));
      start = newline + 1;
    }
    text = text.slice(start);
    if (dropping || text.length > maxLength) {
      dropping = true;
      pending = "";
    } else pending = text;
  };
  for await (const chunk of source as AsyncIterable<string | Uint8Array>) {
    take(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
  }
  take(decoder.decode());
  if (pending || dropping) emit(pending);
  return count;
}
