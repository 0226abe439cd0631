// Instance-wide switches (open registration). Read by auth at registration,
// written by instance administrators (modules/admin).
export { instanceSettings } from "./tables.js";
export { isRegistrationOpen, readInstanceSettings, writeRegistrationOpen, type InstanceSettings } from "./repo.js";
