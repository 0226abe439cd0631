import type { Request } from "express";

// Typed session slots: each key of the session is declared once, by the
// module that owns it (declaring a key twice fails at start), and read and
// written only through its slot. The authentication keys are the sign-in
// pipeline's (sign-in/session-auth.ts) and are not slots.
export interface SessionSlot<T> {
  readonly key: string;
  get(req: Request): T | undefined;
  set(req: Request, value: T): void;
  clear(req: Request): void;
}

const declaredKeys = new Set<string>();

export function sessionSlot<T>(key: string): SessionSlot<T> {
  if (declaredKeys.has(key)) throw new Error(`The session key "${key}" is declared twice.`);
  declaredKeys.add(key);
  const bag = (req: Request) => req.session as unknown as Record<string, unknown>;
  return {
    key,
    get: (req) => bag(req)[key] as T | undefined,
    set: (req, value) => void (bag(req)[key] = value),
    clear: (req) => void delete bag(req)[key],
  };
}
