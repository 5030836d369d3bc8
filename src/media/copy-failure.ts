// The expected ways a media copy can fail, carried as one error type to copyToR2's result.
export class CopyFailure extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    message: string,
  ) {
    super(message);
  }
}

export const timeoutFailure = (): CopyFailure =>
  new CopyFailure("timeout", true, "the copy did not finish within its time limit");

/** Settles with `work`, or rejects with a timeout failure as soon as `signal` aborts (even if `work` ignores it). */
export function untilDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(timeoutFailure());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(timeoutFailure());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** Runs an R2 call under the deadline; R2's own errors become a retryable storage failure. */
export async function storage<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  try {
    return await untilDeadline(work, signal);
  } catch (err) {
    if (err instanceof CopyFailure) throw err;
    throw new CopyFailure("storage_failed", true, `R2 ${what} failed`);
  }
}
