// The one way an unknown thrown value becomes text for a log line or a stored reason: a thrown
// value need not be an Error (a rejected RPC may carry anything), so none of them may assume it.
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
