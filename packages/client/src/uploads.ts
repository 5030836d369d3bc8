// sr.uploads: POST /v1/uploads (multipart, one file field `file`) and DELETE /v1/uploads/{id}.
// inlineFiles() is what lets run() take a Blob, File or bytes wherever a URL param goes.
import type { Http } from "./http.ts";
import type { Upload } from "./types.ts";

export type FileInput = Blob | Uint8Array | ArrayBuffer;

export interface UploadOptions {
  /** The name sent with the file (a File's own name by default). */
  filename?: string;
  /** The declared type; the server recognises the media by its bytes either way. */
  contentType?: string;
  signal?: AbortSignal;
}

export function isFileInput(value: unknown): value is FileInput {
  return (
    (typeof Blob !== "undefined" && value instanceof Blob) ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer
  );
}

export class Uploads {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }

  /** Uploads an image, video or audio file → `{id, url, kind, contentType, size, sha256, expiresAt}`; `url` works in any URL param. */
  create(file: FileInput, options: UploadOptions = {}): Promise<Upload> {
    const blob =
      file instanceof Blob && !options.contentType
        ? file
        : new Blob([file as ConstructorParameters<typeof Blob>[0] extends (infer P)[] | undefined ? P : never], {
            type: options.contentType ?? (file instanceof Blob ? file.type : "application/octet-stream"),
          });
    const name = options.filename ?? (typeof File !== "undefined" && file instanceof File ? file.name : "upload");
    const form = new FormData();
    form.append("file", blob, name);
    // the server answers an upload once; a retry after a lost answer would store a second copy, which is harmless
    return this.#http.call<Upload>("/v1/uploads", { method: "POST", body: form, signal: options.signal });
  }

  /** DELETE /v1/uploads/{id}: the stored copy is removed and its link stops working. */
  async delete(id: string): Promise<void> {
    await this.#http.call<void>(`/v1/uploads/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /**
   * A copy of `params` with every Blob/File/Uint8Array/ArrayBuffer (at any depth, also inside
   * arrays) uploaded and replaced by its URL; uploads run in parallel, the same object once.
   */
  async inlineFiles<T>(params: T, signal?: AbortSignal): Promise<T> {
    const pending = new Map<FileInput, Promise<string>>();
    const upload = (file: FileInput) => {
      let url = pending.get(file);
      if (!url) {
        url = this.create(file, signal ? { signal } : {}).then((u) => u.url);
        pending.set(file, url);
      }
      return url;
    };
    const walk = async (value: unknown): Promise<unknown> => {
      if (isFileInput(value)) return upload(value);
      if (Array.isArray(value)) return Promise.all(value.map(walk));
      if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await walk(v)] as const));
        return Object.fromEntries(entries);
      }
      return value;
    };
    return (await walk(params)) as T;
  }
}
