import type { Request } from "express";
import { ValidationError } from "../../platform/errors.js";
import type { Deps } from "../../platform/deps.js";
import type { Translate } from "../../platform/i18n.js";
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
  // "webauthn": a browser ceremony fills the (hidden) field; optionsUrl says
  // where the page gets the ceremony's options (public/js/passkeys.js).
  type: "password" | "text" | "webauthn";
  optionsUrl?: string;
  autocomplete: string;
  hint?: string;
  numeric?: boolean;
}

export interface MethodContext {
  deps: Deps & { loginThrottle: LoginThrottle; secondFactorThrottle: SecondFactorThrottle };
  meta: RequestMeta;
  // Ceremonies (WebAuthn challenges) are bound to the browser session.
  sessionId: string;
}

// What a verified factor leaves behind for the new session.
export interface FactorOutcome {
  flash?: { kind: "info" | "error"; message: string; vars?: Record<string, unknown> };
  // Runs on the new session once the sign-in completes.
  onSignedIn?(req: Request): void;
}

export interface Factor {
  fields: MethodField[];
  // The sentence above the form ("We sent a code to al•••@example.com").
  prompt(user: AccountUser, t: Translate): string;
  availableFor(deps: Deps, user: AccountUser): boolean | Promise<boolean>;
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
  // A partial the sign-in page shows for this method ("Continue with a
  // passkey"), when `offered` says the method works on this instance.
  signInView?: string;
  offered?(deps: Deps): boolean;
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
  secondFactorsFor(deps: Deps, user: AccountUser): Promise<AuthMethod[]>;
  reauthMethodsFor(deps: Deps, user: AccountUser): Promise<AuthMethod[]>;
  signInViews(deps: Deps): string[];
}

async function filterAvailable(methods: readonly AuthMethod[], pick: (method: AuthMethod) => Factor | undefined, deps: Deps, user: AccountUser) {
  const available = await Promise.all(methods.map(async (method) => Boolean(await pick(method)?.availableFor(deps, user))));
  return methods.filter((_method, index) => available[index]);
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
    secondFactorsFor: (deps, user) => filterAvailable(methods, (method) => method.secondFactor, deps, user),
    reauthMethodsFor: (deps, user) => filterAvailable(methods, (method) => method.reauth, deps, user),
    signInViews: (deps) =>
      methods.flatMap(({ firstFactor }) => (firstFactor?.signInView && (firstFactor.offered?.(deps) ?? true) ? [firstFactor.signInView] : [])),
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
    if (field.type === "webauthn") {
      if (!value || value.length > 16_384) errors[field.name] = "auth:errors.usePasskey";
      else values[field.name] = value;
    } else if (field.numeric) {
      values[field.name] = value.replace(/\s+/g, "");
      if (!/^\d{6}$/.test(values[field.name]!)) errors[field.name] = "auth:errors.sixDigits";
    } else if (!value) {
      errors[field.name] = field.type === "password" ? "auth:errors.enterPassword" : "common:validation.required";
    } else if (value.length > 1024) {
      errors[field.name] = "auth:errors.tooLong";
    } else {
      values[field.name] = value;
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values;
}
