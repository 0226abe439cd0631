import { smsMessageSchema, type SmsMessage } from "../src/platform/sms.js";
import type { Deps } from "../src/platform/deps.js";

export const sendSmsJob = {
  name: "send-sms",
  schema: smsMessageSchema,
  async perform(deps: Pick<Deps, "sms">, payload: SmsMessage): Promise<void> {
    await deps.sms.send(smsMessageSchema.parse(payload));
  },
};
