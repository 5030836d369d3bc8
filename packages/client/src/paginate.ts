// Lists: `for await (const job of sr.jobs.list())` walks every page by its cursor; `.pages()`
// gives the pages themselves and `.page()` just the first.
import type { Page } from "./types.ts";

export class Paginator<T> implements AsyncIterable<T> {
  readonly #load: (cursor: string | undefined) => Promise<Page<T>>;
  constructor(load: (cursor: string | undefined) => Promise<Page<T>>) {
    this.#load = load;
  }

  /** The first page (or the one after `cursor`). */
  page(cursor?: string): Promise<Page<T>> {
    return this.#load(cursor);
  }

  async *pages(): AsyncGenerator<Page<T>> {
    let cursor: string | undefined;
    do {
      const page = await this.#load(cursor);
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item of every page, in order (mind the size of what you list). */
  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
