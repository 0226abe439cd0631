import type { User } from "../users/index.js";

// Who performs an administrative action: a signed-in instance administrator,
// or the operator console (`npm run admin`), which has no account: its audit
// rows have no actor id and say via "console" and the operating-system user.
export interface AdminActor {
  id: string | null;
  via: "web" | "console";
  operator?: string;
}

export const webActor = (user: Pick<User, "id">): AdminActor => ({ id: user.id, via: "web" });
export const consoleActor = (operator: string): AdminActor => ({ id: null, via: "console", operator });

// Other modules' event factories type their actor as an account id; the
// audit row stores null for the console (recordEvent writes `actorId ?? null`).
export const auditActorId = (actor: AdminActor): string => actor.id as string;
