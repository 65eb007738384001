import type { K6ReportContent } from "@tstr/db";
import type { Logger } from "../logging/logger.js";
import { k6SummaryPrompt } from "./k6-llm-prompt.js";
import { completeChat, type LlmOptions } from "./llm-client.js";

/** What a report is about, for the prompt and the logs. */
export interface SummaryContext {
  testName: string;
  labels: Record<string, string>;
  /** Log fields naming the report (run id, shard group id). */
  ids: Record<string, string>;
}

/**
 * Optional LLM summaries of stored k6 reports, asked for in the background after a report is
 * stored: nothing waits for them and no failure (timeout, HTTP error, an answer without text)
 * fails anything; it is logged and the report keeps no summary. Off when `options` is undefined.
 */
export function createLlmSummaries(deps: { options?: LlmOptions; logger: Logger }) {
  const { options, logger } = deps;
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  async function summarize(
    report: K6ReportContent,
    context: SummaryContext,
    store: (text: string) => Promise<boolean>,
  ) {
    if (!options) return;
    try {
      const text = await completeChat(options, k6SummaryPrompt(report, context), stopping.signal);
      if (stopping.signal.aborted) return;
      if (!(await store(text))) logger.debug("k6 report changed before its LLM summary came; dropped", context.ids);
    } catch (error) {
      if (stopping.signal.aborted) return;
      logger.warn("could not get an LLM summary of a k6 report", {
        ...context.ids,
        endpoint: options.endpoint,
        error: (error as Error).message,
      });
    }
  }

  return {
    enabled: options !== undefined,

    /** Starts a summary of `report` and stores it with `store` when it comes. */
    request(report: K6ReportContent, context: SummaryContext, store: (text: string) => Promise<boolean>): void {
      if (!options) return;
      const task = summarize(report, context, store).finally(() => inFlight.delete(task));
      inFlight.add(task);
    },

    /** Resolves when every summary asked for so far has been stored or given up. */
    async settled(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },

    /** Abandons pending requests (the server is stopping) and waits for them to end. */
    async stop(): Promise<void> {
      stopping.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type LlmSummaries = ReturnType<typeof createLlmSummaries>;
