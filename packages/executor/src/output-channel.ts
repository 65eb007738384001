import type { OutputChunk } from "./executor.js";

/** The producing side of a handle's output, and the read-once iterable the consumer gets. */
export interface OutputChannel {
  push(chunk: OutputChunk): void;
  /** No more chunks will come; a pending reader finishes after draining what is buffered. */
  end(): void;
  /** The consumer's view; a second call throws, because chunks are handed out only once. */
  read(): AsyncIterable<OutputChunk>;
}

/**
 * An unbounded, in-order queue between a backend's stream callbacks and `ExecutionHandle.output()`.
 * Unbounded on purpose: the workload's pipes must keep draining even before anyone reads, or a
 * chatty workload would block and never exit. The runner reads promptly and ships chunks onward.
 */
export function createOutputChannel(): OutputChannel {
  const buffered: OutputChunk[] = [];
  let ended = false;
  let claimed = false;
  let wake: (() => void) | undefined;

  const notify = () => {
    wake?.();
    wake = undefined;
  };

  async function* drain(): AsyncGenerator<OutputChunk> {
    for (;;) {
      const chunk = buffered.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }

  return {
    push(chunk) {
      if (ended) return;
      buffered.push(chunk);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    read() {
      if (claimed) throw new Error("output() can be read only once");
      claimed = true;
      return drain();
    },
  };
}
