// The shape of a pipeline as a graph: step ids unique, every reference, `each` and `after` naming a
// step that exists (references and `each` only earlier steps, whose outputs exist by then), and no
// cycle through `after`. Problems are reported at the path that names the offending step.
import type { FieldError } from "../lib/problems.ts";
import { formatPath } from "../lib/validation.ts";
import type { FoundReference } from "./pipeline-refs.ts";

export interface StepNode {
  index: number;
  id: string | undefined;
  each: string | undefined;
  after: string[];
  refs: FoundReference[];
}

export function checkGraph(nodes: StepNode[]): FieldError[] {
  const errors: FieldError[] = [];
  const firstIndex = new Map<string, number>();
  for (const n of nodes) {
    if (n.id === undefined) continue;
    const seen = firstIndex.get(n.id);
    if (seen !== undefined)
      errors.push({ path: formatPath(["steps", n.index, "id"]), message: `repeats the id of steps[${seen}]` });
    else firstIndex.set(n.id, n.index);
  }
  const named = (n: StepNode, target: string, path: (string | number)[], earlierOnly: boolean) => {
    const at = firstIndex.get(target);
    if (at === undefined)
      errors.push({ path: formatPath(path), message: `names no step: "${target}" is not a step id of this pipeline` });
    else if (at === n.index) errors.push({ path: formatPath(path), message: "names its own step" });
    else if (earlierOnly && at > n.index)
      errors.push({
        path: formatPath(path),
        message: `names a later step (${target}): a step can take outputs only of steps before it`,
      });
  };
  for (const n of nodes) {
    if (n.each !== undefined) named(n, n.each, ["steps", n.index, "each"], true);
    for (const f of n.refs)
      if (f.ref?.kind === "output") named(n, f.ref.step, ["steps", n.index, "params", ...f.path], true);
    n.after.forEach((a, j) => {
      named(n, a, ["steps", n.index, "after", j], false);
    });
  }
  errors.push(...cycles(nodes, firstIndex));
  return errors;
}

/** Each `after` entry that closes a cycle (the step it names waits, directly or not, for this one). */
function cycles(nodes: StepNode[], firstIndex: Map<string, number>): FieldError[] {
  const needs = nodes.map((n) =>
    [...n.after, ...(n.each ? [n.each] : []), ...n.refs.flatMap((f) => (f.ref?.kind === "output" ? [f.ref.step] : []))]
      .map((id) => firstIndex.get(id))
      .filter((i): i is number => i !== undefined && i !== n.index),
  );
  const reaches = (from: number, to: number): boolean => {
    const seen = new Set<number>();
    const stack = [from];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (i === to) return true;
      if (seen.has(i)) continue;
      seen.add(i);
      stack.push(...needs[i]!);
    }
    return false;
  };
  const errors: FieldError[] = [];
  for (const n of nodes)
    n.after.forEach((a, j) => {
      const target = firstIndex.get(a);
      if (target !== undefined && target !== n.index && reaches(target, n.index))
        errors.push({
          path: formatPath(["steps", n.index, "after", j]),
          message: `makes a cycle: ${a} already waits for ${n.id ?? `steps[${n.index}]`}`,
        });
    });
  return errors;
}
