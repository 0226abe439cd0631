import { defineEvents } from "../audit/index.js";

export const sessionEvents = defineEvents({
  ended: {
    type: "session.ended",
    label: "A session was signed out",
    event: (userId: string, ended: { userAgent?: string; ip?: string }) => ({ actorId: userId, subjectId: userId, details: { device: ended.userAgent, ip: ended.ip } }),
  },
  endedMany: {
    type: "session.ended_many",
    label: "Sessions were signed out",
    event: (actorId: string, userId: string, count: number, reason: string) => ({ actorId, subjectId: userId, details: { count, reason } }),
  },
});
