import { defineEvents, securityNotice } from "../audit/index.js";
import type { User } from "../users/index.js";

const self = (user: Pick<User, "id">) => ({ actorId: user.id, subjectId: user.id });

export const passkeyEvents = defineEvents({
  added: {
    type: "passkey.added",
    label: "Passkey added",
    event: (user: User, name: string, baseUrl: string) => ({
      ...self(user),
      details: { name },
      notices: [
        securityNotice(user, { subject: "passkeys:mail.addedSubject", body: "passkeys:mail.addedBody", vars: { name }, then: "passkeys:mail.addedThen", baseUrl }),
      ],
    }),
  },
  renamed: {
    type: "passkey.renamed",
    label: "Passkey renamed",
    event: (user: Pick<User, "id">, from: string, to: string) => ({ ...self(user), details: { from, to } }),
  },
  removed: {
    type: "passkey.removed",
    label: "Passkey removed",
    event: (user: Pick<User, "id">, name: string) => ({ ...self(user), details: { name } }),
  },
  counterRegressed: {
    type: "passkey.counter_regressed",
    label: "A passkey answered with an old counter (possible copy) and was refused",
    warning: true,
    event: (userId: string, name: string, stored: number, presented: number) => ({ subjectId: userId, details: { name, stored, presented } }),
  },
});
