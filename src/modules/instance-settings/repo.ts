import { eq } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { instanceSettings } from "./tables.js";

export interface InstanceSettings {
  registrationOpen: boolean;
}

const DEFAULTS: InstanceSettings = { registrationOpen: true };

export async function readInstanceSettings(db: Db): Promise<InstanceSettings> {
  const [row] = await db.select({ registrationOpen: instanceSettings.registrationOpen }).from(instanceSettings).where(eq(instanceSettings.singleton, true)).limit(1);
  return row ?? DEFAULTS;
}

export async function isRegistrationOpen(db: Db): Promise<boolean> {
  return (await readInstanceSettings(db)).registrationOpen;
}

export async function writeRegistrationOpen(db: Db, registrationOpen: boolean, actorId: string | null, at: Date): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ singleton: true, registrationOpen, updatedBy: actorId, updatedAt: at })
    .onConflictDoUpdate({ target: instanceSettings.singleton, set: { registrationOpen, updatedBy: actorId, updatedAt: at } });
}
