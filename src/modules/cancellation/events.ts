import { defineEvents } from "../audit/index.js";
import type { User } from "../users/index.js";

export const cancellationEvents = defineEvents({
  soleWorkspaceDeleted: {
    type: "workspace.deleted_before_cancellation",
    label: "Workspace deleted by its only member before cancelling",
    warning: true,
    event: (user: User, workspace: { id: string; name: string }) => ({ actorId: user.id, subjectId: user.id, details: { workspaceId: workspace.id, name: workspace.name } }),
  },
  cancelled: {
    type: "account.cancelled",
    label: "Account cancelled",
    warning: true,
    // The notice goes to the address on file, read before the purge removes it.
    event: (user: User, ticketsCloseBy: string, statusUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      notices: [
        {
          to: user.email,
          subject: "Your Latchkey account was cancelled",
          text: ({ at }: { at: Date; ip: string }) =>
            `Hi ${user.username},\n\nYour Latchkey account was cancelled at ${at.toISOString()}. You can no longer sign in, and every session has ended.\nYour personal data is being removed; follow it here: ${statusUrl}\nAny tickets you left open will be closed by ${ticketsCloseBy}.\n\nThis address can be used to register a new, unrelated account.\n`,
        },
      ],
    }),
  },
});
