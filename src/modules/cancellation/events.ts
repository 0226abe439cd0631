import { createTimeFormatter } from "../../platform/format.js";
import { DEFAULT_LANGUAGE, isLanguage, translatorFor } from "../../platform/i18n.js";
import { defineEvents, securityNotice } from "../audit/index.js";
import type { User } from "../users/index.js";

// "Dec 3, 2026, 17:00 UTC (Europe/Berlin business days)" in the recipient's language and zone.
function closeByText(user: User, at: Date, businessZone: string): string {
  const fmt = createTimeFormatter(isLanguage(user.language) ? user.language : DEFAULT_LANGUAGE, user.timeZone);
  return translatorFor(user.language)("cancellation:mail.closeBy", { when: fmt.dateTime(at), zone: businessZone });
}

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
    event: (user: User, ticketsCloseBy: string | { at: Date; zone: string }, statusUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      notices: [
        // No "sign out and change your password" here: the account is
        // gone and every session ended; someone who did not do this can
        // only turn to the administrator.
        securityNotice(user, {
          subject: "cancellation:mail.cancelledSubject",
          body: "cancellation:mail.cancelledBody",
          vars: { statusUrl, ticketsCloseBy: typeof ticketsCloseBy === "string" ? ticketsCloseBy : closeByText(user, ticketsCloseBy.at, ticketsCloseBy.zone) },
          ending: "cancellation:mail.cancelledEnding",
          baseUrl: "",
        }),
      ],
    }),
  },
});
