import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { auditEvents } from "./tables.js";

export async function listWorkspaceEvents(db: Db, workspaceId: string, actions: string[], limit = 10) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), inArray(auditEvents.action, actions)))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit);
}

// What happened to one account, newest first: the user's own security log.
export async function listSubjectEvents(db: Db, subjectId: string, limit = 20) {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(desc(auditEvents.createdAt), desc(auditEvents.id)).limit(limit);
}
