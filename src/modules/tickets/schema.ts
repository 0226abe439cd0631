import { z } from "zod";

export const ticketParams = z.object({ ticketId: z.uuid({ message: "codes:more.ticketMissing" }) });

export const openTicketSchema = z.object({
  subject: z.string().trim().min(1, "Give the ticket a subject.").max(200, "Keep the subject under 200 characters."),
  body: z.string().trim().min(1, "Describe what you need.").max(10000, "Keep it under 10,000 characters."),
});

export const replySchema = z.object({
  body: z.string().trim().min(1, "Write a reply.").max(10000, "Keep it under 10,000 characters."),
});
