import { smsMessageSchema, type SmsMessage } from "../sms.js";
import type { JobDefinition } from "./definition.js";

export const sendSmsJob: JobDefinition<SmsMessage> = {
  name: "send-sms",
  queue: "sms",
  schema: smsMessageSchema,
  async perform(deps, payload, { jobId }) {
    await deps.sms.send(payload, { key: jobId });
  },
};
