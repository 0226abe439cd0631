import { verifyPassword } from "../../platform/crypto/passwords.js";
import { AppError } from "../../platform/errors.js";
import type { AuthMethod } from "../../web/sign-in/auth-method.js";
import { parseInput } from "../../web/validate.js";
import { isTwoFactorEnabled } from "../two-factor/index.js";
import { loginSchema } from "./schema.js";
import { authenticate } from "./service.js";

// The password: the first factor of a local account, and its step-up when
// the account has no second factor (with one, the second factor is asked
// instead: see two-factor/auth-methods.ts).
export const passwordMethod: AuthMethod = {
  id: "password",
  label: "auth:method.password",
  firstFactor: {
    satisfiesSecondFactor: false,
    fields: [
      { name: "login", label: "auth:login.login", type: "text", autocomplete: "username" },
      { name: "password", label: "auth:login.password", type: "password", autocomplete: "current-password" },
    ],
    identify: ({ deps, meta }, input) => authenticate(deps, parseInput(loginSchema, input), meta),
  },
  reauth: {
    kind: "knowledge",
    fields: [{ name: "password", label: "auth:login.password", type: "password", autocomplete: "current-password" }],
    prompt: (_user, t) => t("auth:method.enterPassword"),
    availableFor: (_deps, user) => Boolean(user.passwordHash) && !isTwoFactorEnabled(user),
    async verify(_ctx, user, input) {
      if (!user.passwordHash || !input.password || !(await verifyPassword(user.passwordHash, input.password))) {
        throw new AppError(422, "PASSWORD_INCORRECT", { field: "password", message: "auth:errors.passwordIncorrect" });
      }
      return {};
    },
  },
};
