import { desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { users } from "../users/index.js";
import type { Db } from "../../platform/db.js";
import { auditEvents } from "./tables.js";

const actors = alias(users, "actors");
const subjects = alias(users, "subjects");

// What happened in one workspace, with who did it and to whom, newest first:
// the workspace's activity log for its owner and admins.
export async function listWorkspaceActivity(db: Db, workspaceId: string, limit = 25) {
  return db
    .select({ event: auditEvents, actorName: actors.username, subjectName: subjects.username })
    .from(auditEvents)
    .leftJoin(actors, eq(actors.id, auditEvents.actorId))
    .leftJoin(subjects, eq(subjects.id, auditEvents.subjectId))
    .where(eq(auditEvents.workspaceId, workspaceId))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit);
}

// What happened to one account, newest first: the user's own security log.
export async function listSubjectEvents(db: Db, subjectId: string, limit = 20) {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)).limit(limit);
}
