import { defineEvents } from "../audit/index.js";

export const setupEvents = defineEvents({
  completed: {
    type: "instance.setup_completed",
    label: "Instance set up",
    event: (adminId: string, workspaceId: string) => ({ actorId: adminId, subjectId: adminId, workspaceId }),
  },
});
