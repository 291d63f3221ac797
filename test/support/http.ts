/**
 * Small `fetch` helpers for HTTP tests: one call returns status, headers and the body (read in
 * full, so no response stream is left open), and `assertApiError` checks the one error shape the
 * API promises, `{ error: { code, message } }`.
 */
import assert from 'node:assert/strict';

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  /** The body as UTF-8 text. */
  readonly text: string;
}

export interface HttpRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
  /** Give up on the answer after this long. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Sends one request and reads the whole response. */
export async function http(url: string, request: HttpRequest = {}): Promise<HttpResult> {
  const response = await fetch(url, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

/** Parses a JSON body, failing with the body in the message when it is not JSON. */
export function jsonOf(result: HttpResult): unknown {
  try {
    return JSON.parse(result.text) as unknown;
  } catch {
    throw new assert.AssertionError({ message: `Expected a JSON body, got (${result.status}): ${result.text.slice(0, 300)}` });
  }
}

/** Asserts an API error: the status, JSON content, and `{ error: { code, message } }` with a sentence. */
export function assertApiError(result: HttpResult, status: number, code: string): void {
  assert.equal(result.status, status, `expected ${status} ${code}, got ${result.status}: ${result.text.slice(0, 300)}`);
  assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
  const body = jsonOf(result) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(body.error?.code, code, result.text);
  assert.equal(typeof body.error?.message, 'string', result.text);
  assert.ok((body.error?.message as string).length > 10, `the message should be a sentence: ${result.text}`);
  assert.deepEqual(Object.keys(body), ['error'], 'nothing but the error');
}

/** Polls an HTTP endpoint until `check` accepts its result, or fails after `timeoutMs`. */
export async function pollHttp(url: string, check: (result: HttpResult) => boolean, what: string, timeoutMs = 5000): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await http(url);
    if (check(result)) return result;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last answer ${result.status}: ${result.text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates an empty document through the API of the server at `url`; resolves with its id. */
export async function createDocument(url: string): Promise<string> {
  const result = await http(`${url}/api/docs`, { method: 'POST' });
  assert.equal(result.status, 201, result.text);
  return (jsonOf(result) as { id: string }).id;
}
