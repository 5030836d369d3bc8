/** What each benchmark section gives back: its part of BENCHMARKS.md and its benchmarks.json figures. */
export interface Section {
  markdown: string;
  figures: Record<string, number>;
}
