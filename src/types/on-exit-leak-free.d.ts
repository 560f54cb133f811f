// on-exit-leak-free (pino's own) ships no types: the two calls we make.
declare module 'on-exit-leak-free' {
  /** Calls fn(obj, 'exit') when the process exits, unless obj was collected or unregistered first. */
  export function register<T extends object>(obj: T, fn: (obj: T, event: 'exit') => void): void;
  export function unregister(obj: object): void;
}
