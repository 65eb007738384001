import type { ChatPrompt } from "./k6-llm-prompt.js";

/** Where to ask for k6 report summaries: any OpenAI-compatible chat completions API. */
export interface LlmOptions {
  /** Base URL (`http://127.0.0.1:11434`, `https://api.openai.com/v1`) or the full `/chat/completions` URL. */
  endpoint: string;
  model: string;
  /** Sent as a bearer token when set. */
  apiKey?: string;
  /** How long one request may take (default 30 s). */
  timeoutMs?: number;
}

/** Longest summary kept; a model that rambles is cut here. */
const MAX_SUMMARY_CHARS = 4_000;

/**
 * The chat completions URL of an endpoint: kept when it already ends in `/chat/completions`,
 * `/chat/completions` added after a path ending in `/v1`, `/v1/chat/completions` otherwise.
 */
export function chatCompletionsUrl(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/chat/completions")) {
    url.pathname = `${path}${path.endsWith("/v1") ? "" : "/v1"}/chat/completions`;
  }
  return url.toString();
}

/**
 * Asks the model for a completion of `prompt` and returns its text. Throws, with a message that
 * says what went wrong, on a timeout (`timeoutMs`), an HTTP error, or an answer without text.
 */
export async function completeChat(options: LlmOptions, prompt: ChatPrompt, signal: AbortSignal): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const response = await fetch(chatCompletionsUrl(options.endpoint), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    body: JSON.stringify({
      model: options.model,
      messages: [
        { role: "system", content: prompt.system },
        { role: "user", content: prompt.user },
      ],
      temperature: 0.2,
      max_tokens: 400,
    }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  }).catch((error: Error) => {
    throw new Error(error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message);
  });
  const body = await response.text().catch(() => "");
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
  let text: unknown;
  try {
    text = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
  } catch {
    throw new Error(`the answer is not JSON: ${body.slice(0, 200)}`);
  }
  if (typeof text !== "string" || !text.trim()) throw new Error("the answer has no choices[0].message.content text");
  return text.trim().slice(0, MAX_SUMMARY_CHARS);
}
