// What withinTime rejects with, so a caller can tell the wait from the work.
export class TimedOut extends Error {}

// `promise`, or a rejection with TimedOut ("<what> did not happen within
// <ms> ms") once `ms` have passed: for waits on a dependency that may stop
// answering without closing the connection. The work itself goes on.
export function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new TimedOut(`${what} did not happen within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
