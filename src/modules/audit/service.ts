import type { Db } from "../../db/client.js";
import { auditEvents } from "./tables.js";

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export interface AuditEntry {
  action: string;
  actorId?: string | null;
  subjectId?: string | null;
  workspaceId?: string | null;
  details?: Record<string, unknown>;
}

// Never put secrets (passwords, codes, tokens) in details.
export async function recordAudit(db: Db, entry: AuditEntry, meta?: RequestMeta): Promise<void> {
  await db.insert(auditEvents).values({
    action: entry.action,
    actorId: entry.actorId ?? null,
    subjectId: entry.subjectId ?? null,
    workspaceId: entry.workspaceId ?? null,
    ip: meta?.ip ?? null,
    userAgent: meta?.userAgent?.slice(0, 500) ?? null,
    details: entry.details ?? {},
  });
}
