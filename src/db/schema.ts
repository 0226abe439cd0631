// Every table the app owns, re-exported from the module that owns it.
export * from "../modules/users/tables.js";
export * from "../modules/workspaces/tables.js";
export * from "../modules/audit/tables.js";
export * from "../modules/profile/tables.js";
export * from "../modules/password/tables.js";
export * from "../modules/two-factor/tables.js";
export * from "../platform/outbox/tables.js";
export { changeMarks } from "../platform/change-marks.js";
export * from "../modules/invitations/tables.js";
export * from "../modules/instance-settings/tables.js";
export * from "../modules/admin/tables.js";
export * from "../modules/tokens/tables.js";
export * from "../modules/passkeys/tables.js";
export * from "../modules/tickets/tables.js";
export * from "../modules/cancellation/tables.js";
export * from "../modules/identities/tables.js";
export * from "../modules/sso/tables.js";
