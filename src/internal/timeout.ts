/**
 * Races `promise` against a timer: rejects with `onTimeout()` after `timeoutMs` ms, and clears
 * the timer whichever settles first (a pending timer would keep a process alive). The raced
 * promise is not cancelled: it may still settle later, unobserved.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
