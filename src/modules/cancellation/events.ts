import { defineEvents, whenAndWhere } from "../audit/index.js";
import type { User } from "../users/index.js";

export const cancellationEvents = defineEvents({
  soleWorkspaceDeleted: {
    type: "workspace.deleted_before_cancellation",
    label: "Workspace deleted by its only member before cancelling",
    warning: true,
    event: (user: User, workspace: { id: string; name: string }) => ({ actorId: user.id, subjectId: user.id, details: { workspaceId: workspace.id, name: workspace.name } }),
  },
  // The background purge finished: the account's personal data is gone
  // (no actor: the worker did it; no IP: nobody asked just now).
  purgeCompleted: {
    type: "account.purge_completed",
    label: "Personal data of a cancelled account removed",
    event: (userId: string, steps: string[]) => ({ actorId: null, subjectId: userId, details: { steps } }),
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
          // No "sign out and change your password" here: the account is
          // gone and every session ended; someone who did not do this can
          // only turn to the administrator.
          text: (context) =>
            `Hi ${user.username},\n\nYour Latchkey account was cancelled. You can no longer sign in, and every session has ended.\n\n${whenAndWhere(context)}\n\nYour personal data is being removed; follow it here: ${statusUrl}\nAny tickets you left open will be closed by ${ticketsCloseBy}.\n\nNot you? Contact your administrator at once: a cancellation needs the password or a code sent to you, so your password or your email may be in someone else's hands.\nThis address can be used to register a new, unrelated account.\n`,
        },
      ],
    }),
  },
});
