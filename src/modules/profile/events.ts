import { defineEvents } from "../audit/index.js";

export const profileEvents = defineEvents({
  usernameChanged: {
    type: "profile.username_changed",
    label: "Username changed",
    event: (userId: string, from: string, to: string) => ({ actorId: userId, subjectId: userId, details: { from, to } }),
  },
  avatarChanged: {
    type: "profile.avatar_changed",
    label: "Avatar changed",
    event: (userId: string, details: { sourceFormat: string; bytes: number }) => ({ actorId: userId, subjectId: userId, details }),
  },
  avatarRemoved: {
    type: "profile.avatar_removed",
    label: "Avatar removed",
    event: (userId: string) => ({ actorId: userId, subjectId: userId }),
  },
});
