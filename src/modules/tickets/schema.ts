import { z } from "zod";

export const ticketParams = z.object({ ticketId: z.uuid({ message: "codes:more.ticketMissing" }) });

export const openTicketSchema = z.object({
  subject: z.string().trim().min(1, "tickets:validation.subject").max(200, "tickets:validation.subjectLong"),
  body: z.string().trim().min(1, "tickets:validation.body").max(10000, "tickets:validation.bodyLong"),
});

export const replySchema = z.object({
  body: z.string().trim().min(1, "tickets:validation.reply").max(10000, "tickets:validation.bodyLong"),
});
