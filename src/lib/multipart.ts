// A streaming reader of multipart/form-data (RFC 7578): one part at a time, each part's body a
// ReadableStream that yields the bytes as they arrive, so a 100 MiB file passes through holding
// only a chunk and the delimiter's length of it. The runtime's formData() would hold it whole.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Longest header block of one part: names and types are short; anything longer is not a form. */
const MAX_HEAD_BYTES = 16 * 1024;

export class MultipartError extends Error {}

export interface PartHead {
  name: string;
  /** Present when the part is a file (`filename=` in its Content-Disposition), possibly "". */
  filename?: string;
  contentType?: string;
}

/** The boundary of a `multipart/form-data; boundary=…` Content-Type, or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (
    let i = haystack.indexOf(first, from);
    i !== -1 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

function parseHead(text: string): PartHead {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("a part header is malformed");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition))
    throw new MultipartError("a part has no form-data Content-Disposition");
  const param = (key: string) =>
    new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(disposition)?.[1]?.replace(/\\(.)/g, "$1");
  const name = param("name");
  if (name === undefined) throw new MultipartError("a part has no name");
  const filename = param("filename");
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}

/**
 * Reads the parts of one body in order. Read (or cancel) each part's body before asking for the
 * next part; `nextPart()` answers null after the closing delimiter.
 */
export class MultipartReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** "\r\n--boundary": what ends every part's body. */
  readonly #delimiter: Uint8Array;
  #pending: Uint8Array = new Uint8Array(0);
  #started = false;
  #ended = false;

  constructor(body: ReadableStream<Uint8Array>, boundary: string) {
    this.#reader = body.getReader();
    this.#delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  /** Appends the next chunk of the body; false at its end. */
  async #fill(): Promise<boolean> {
    const { done, value } = await this.#reader.read();
    if (done) return false;
    this.#pending = concat(this.#pending, value);
    return true;
  }

  /** The next part's head, its body to be read from `body`; null after the last part. */
  async nextPart(): Promise<{ head: PartHead; body: ReadableStream<Uint8Array> } | null> {
    if (this.#ended) return null;
    if (!this.#started) {
      // the first delimiter may open the body without its CRLF; anything before it is preamble
      this.#pending = concat(encoder.encode("\r\n"), this.#pending);
      this.#started = true;
    }
    let at = indexOf(this.#pending, this.#delimiter);
    while (at === -1) {
      if (this.#pending.byteLength > MAX_HEAD_BYTES)
        throw new MultipartError("no multipart boundary where one was expected");
      if (!(await this.#fill())) throw new MultipartError("the body ended before its first part");
      at = indexOf(this.#pending, this.#delimiter);
    }
    const afterDelimiter = at + this.#delimiter.byteLength;
    while (this.#pending.byteLength < afterDelimiter + 2)
      if (!(await this.#fill())) throw new MultipartError("the body ended inside a delimiter");
    if (this.#pending[afterDelimiter] === 0x2d && this.#pending[afterDelimiter + 1] === 0x2d) {
      this.#ended = true;
      await this.#reader.cancel().catch(() => undefined); // the epilogue is ignored
      return null;
    }
    const headEnd = encoder.encode("\r\n\r\n");
    let end = indexOf(this.#pending, headEnd, afterDelimiter);
    while (end === -1) {
      if (this.#pending.byteLength - afterDelimiter > MAX_HEAD_BYTES)
        throw new MultipartError("a part's headers are too long");
      if (!(await this.#fill())) throw new MultipartError("the body ended inside a part's headers");
      end = indexOf(this.#pending, headEnd, afterDelimiter);
    }
    // transport padding (spaces, tabs) may follow the delimiter before its CRLF
    const headText = decoder.decode(this.#pending.subarray(afterDelimiter, end)).replace(/^[ \t]*\r\n/, "");
    const head = parseHead(headText);
    this.#pending = this.#pending.subarray(end + headEnd.byteLength);
    return { head, body: this.#partBody() };
  }

  /** The current part's body: everything up to the next delimiter, which stays pending. */
  #partBody(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: (controller) => settle(controller, () => this.#pullBody(controller)),
      cancel: () => this.cancel(),
    });
  }

  async #pullBody(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const delimiter = this.#delimiter;
    for (;;) {
      const at = indexOf(this.#pending, delimiter);
      if (at !== -1) {
        if (at > 0) controller.enqueue(this.#pending.subarray(0, at));
        this.#pending = this.#pending.subarray(at);
        controller.close();
        return;
      }
      // all but what could be the start of a delimiter split across chunks is body
      const safe = this.#pending.byteLength - (delimiter.byteLength - 1);
      if (safe > 0) {
        controller.enqueue(this.#pending.subarray(0, safe));
        this.#pending = this.#pending.subarray(safe);
        return;
      }
      if (!(await this.#fill())) {
        controller.error(new MultipartError("the body ended inside a part"));
        return;
      }
    }
  }

  /** Stops reading the body. */
  async cancel(): Promise<void> {
    this.#ended = true;
    await this.#reader.cancel().catch(() => undefined);
  }
}

/**
 * The name of the body's first part, read without consuming the body: the answer's `body` yields
 * every byte again, the few already read first. Undefined when no part head is found early on.
 */
export async function firstPartName(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): Promise<{ name?: string; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const seen: Uint8Array[] = [];
  let buffered: Uint8Array = new Uint8Array(0);
  let name: string | undefined;
  let finished = false;
  const opening = encoder.encode(`--${boundary}`);
  while (buffered.byteLength <= MAX_HEAD_BYTES) {
    const { done, value } = await reader.read();
    if (done) {
      finished = true;
      break;
    }
    seen.push(value);
    buffered = concat(buffered, value);
    const at = indexOf(buffered, opening);
    const end = at === -1 ? -1 : indexOf(buffered, encoder.encode("\r\n\r\n"), at);
    if (end !== -1) {
      name = /;\s*name="((?:[^"\\]|\\.)*)"/i.exec(decoder.decode(buffered.subarray(at, end)))?.[1];
      break;
    }
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of seen) controller.enqueue(chunk);
      if (finished) controller.close();
    },
    pull: (controller) =>
      settle(controller, async () => {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      }),
    cancel: (reason) => reader.cancel(reason),
  });
  return { ...(name !== undefined ? { name } : {}), body: replay };
}

/**
 * Runs a pull and turns its failure into the stream's error rather than a rejected pull: a read
 * still pending when the route has answered (413) and canceled fails later, with nobody waiting.
 */
export async function settle(
  controller: ReadableStreamDefaultController<Uint8Array>,
  pull: () => Promise<void>,
): Promise<void> {
  try {
    await pull();
  } catch (err) {
    try {
      controller.error(err);
    } catch {
      // already closed or canceled: nothing is waiting for this stream
    }
  }
}
