// Provider text (error messages and codes, failure reasons) is stored on jobs and shown to
// clients: it must never carry one of our provider secrets, whatever a provider echoes back.
import type { Outcome, Provider, ProviderError, TaskStatus } from "./types.ts";

const MAX_TEXT = 300;

/** Each secret replaced by [redacted], and the text kept short. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join("[redacted]");
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

/** The same provider, with every text it hands back scrubbed of `secrets`. */
export function scrubbedProvider(provider: Provider, secrets: readonly (string | undefined)[]): Provider {
  const text = (value: string) => scrubSecrets(value, secrets);
  const error = (e: ProviderError): ProviderError => ({ ...e, code: text(e.code), message: text(e.message) });
  const outcome = <T>(o: Outcome<T>, value: (v: T) => T = (v) => v): Outcome<T> =>
    o.ok ? { ok: true, value: value(o.value) } : { ok: false, error: error(o.error) };
  const status = (s: TaskStatus): TaskStatus => {
    if (s.state === "failed") return { ...s, code: text(s.code), message: text(s.message) };
    // a canceled run's message carries the provider's own reason
    if (s.state === "canceled" && s.message !== undefined) return { ...s, message: text(s.message) };
    if (s.state === "succeeded")
      return { ...s, outputs: s.outputs.map((o) => (o.error ? { ...o, error: text(o.error) } : o)) };
    return s;
  };
  // arguments are passed through as they come, so the interface may grow (an abort signal, say)
  return {
    name: provider.name,
    idempotentSubmit: provider.idempotentSubmit,
    submit: async (...args) => outcome(await provider.submit(...args)),
    poll: async (...args) => outcome(await provider.poll(...args), status),
    cancel: async (...args) => outcome(await provider.cancel(...args), (r) => ({ ...r, message: text(r.message) })),
    ...(provider.deleteFiles ? { deleteFiles: async (task) => outcome(await provider.deleteFiles!(task)) } : {}),
  };
}
