import { defineEvents } from "../audit/index.js";
import { passwordChangedNotice } from "../password/index.js";
import type { User } from "../users/index.js";

export const adminEvents = defineEvents({
  passwordSet: {
    type: "admin.password_set",
    label: "Password set by an administrator",
    warning: true,
    event: (actor: User, subject: User, baseUrl: string) => ({ actorId: actor.id, subjectId: subject.id, notices: [passwordChangedNotice(subject, "admin", true, baseUrl)] }),
  },
});
