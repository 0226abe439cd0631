import { eq } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { noticePreferences } from "./tables.js";

// Optional notices (new-device sign-in, token created) can be muted; critical
// ones (password, email, 2FA off, ...) cannot. Modules sending an optional
// notice ask optionalNoticesMuted first (the sign-in's new-device check reads
// the same flag inside its own statement: devices.ts recordSignIn).
export async function optionalNoticesMuted(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select().from(noticePreferences).where(eq(noticePreferences.userId, userId));
  return row?.muteOptional ?? false;
}

export async function setOptionalNoticesMuted(db: Db, userId: string, muted: boolean): Promise<void> {
  await db.insert(noticePreferences).values({ userId, muteOptional: muted }).onConflictDoUpdate({ target: noticePreferences.userId, set: { muteOptional: muted } });
}
