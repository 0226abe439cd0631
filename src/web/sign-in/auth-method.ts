import type { Request } from "express";
import { ValidationError } from "../../platform/errors.js";
import type { Deps } from "../../platform/deps.js";
import type { AccountUser, RequestMeta } from "../context.js";
import type { LoginThrottle, SecondFactorThrottle } from "./throttle.js";

// One interface for every way to prove who you are (Kratos-style methods).
// A method declares what it can be: a first factor (it identifies the
// account), a second factor (after a first one), a step-up (/reauth) — or
// several. The sign-in pipeline offers whatever the account has, in the order
// the methods were registered (app.ts), and never names a method itself.

export interface MethodField {
  name: string;
  label: string;
  type: "password" | "text";
  autocomplete: string;
  hint?: string;
  numeric?: boolean;
}

export interface MethodContext {
  deps: Deps & { loginThrottle: LoginThrottle; secondFactorThrottle: SecondFactorThrottle };
  meta: RequestMeta;
}

// What a verified factor leaves behind for the new session.
export interface FactorOutcome {
  flash?: { kind: "info" | "error"; message: string };
  // Runs on the new session once the sign-in completes.
  onSignedIn?(req: Request): void;
}

export interface Factor {
  fields: MethodField[];
  // The sentence above the form ("We sent a code to al•••@example.com").
  prompt(user: AccountUser): string;
  availableFor(user: AccountUser): boolean;
  // Prepares an answer (sends a code); absent for methods that need none.
  begin?(ctx: MethodContext, user: AccountUser): Promise<void>;
  // Throws an AppError with status 422 for a wrong answer. Any other error
  // (a dependency is down) is not an answer and costs no attempt.
  verify(ctx: MethodContext, user: AccountUser, input: Record<string, string>): Promise<FactorOutcome>;
  // "possession" factors are counted by the second-factor limits,
  // "knowledge" (a password) by the sign-in limits.
  kind: "knowledge" | "possession";
}

export interface FirstFactor {
  fields: MethodField[];
  // A proof strong enough to skip the second step (a passkey with user verification).
  satisfiesSecondFactor: boolean;
  // Finds and checks the account; throws one generic error for every failure.
  identify?(ctx: MethodContext, input: Record<string, string>): Promise<AccountUser>;
}

export interface AuthMethod {
  id: string;
  label: string;
  firstFactor?: FirstFactor;
  secondFactor?: Factor;
  reauth?: Factor;
}

export interface AuthMethodRegistry {
  all: readonly AuthMethod[];
  get(id: string): AuthMethod | undefined;
  secondFactorsFor(user: AccountUser): AuthMethod[];
  reauthMethodsFor(user: AccountUser): AuthMethod[];
}

export function createAuthMethodRegistry(methods: AuthMethod[]): AuthMethodRegistry {
  const byId = new Map<string, AuthMethod>();
  for (const method of methods) {
    if (byId.has(method.id)) throw new Error(`Two sign-in methods are registered as "${method.id}".`);
    byId.set(method.id, method);
  }
  return {
    all: methods,
    get: (id) => byId.get(id),
    secondFactorsFor: (user) => methods.filter((method) => method.secondFactor?.availableFor(user)),
    reauthMethodsFor: (user) => methods.filter((method) => method.reauth?.availableFor(user)),
  };
}

// A method's form fields from a request body: present, bounded, and for
// numeric codes six digits (spaces dropped). A malformed answer is refused
// here and costs no attempt. Passwords are taken exactly as typed.
export function parseFactorInput(fields: MethodField[], body: unknown): Record<string, string> {
  const raw = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const given = typeof raw[field.name] === "string" ? (raw[field.name] as string) : "";
    const value = field.type === "password" ? given : given.trim();
    if (field.numeric) {
      values[field.name] = value.replace(/\s+/g, "");
      if (!/^\d{6}$/.test(values[field.name]!)) errors[field.name] = "Enter the 6-digit code.";
    } else if (!value) {
      errors[field.name] = `Enter your ${field.label.toLowerCase()}.`;
    } else if (value.length > 1024) {
      errors[field.name] = "That is too long.";
    } else {
      values[field.name] = value;
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values;
}
