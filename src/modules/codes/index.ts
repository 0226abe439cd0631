// One-time verification codes sent by email or SMS.
export { sendCode, verifyCode, discardCode, discardAllCodes, codeKeys, resendWaitSeconds, type CodeTarget, type CodeChannel } from "./service.js";
export { codeField } from "./schema.js";
