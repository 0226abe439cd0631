// The security activity catalogue: typed events, their record, the logs.
export { auditEvents, type AuditEvent } from "./tables.js";
export { defineEvents, recordEvent, eventTypeInfo, declaredEventTypes, type SecurityEvent, type Notice } from "./events.js";
export { listWorkspaceActivity } from "./repo.js";
export { presentWorkspaceEvent } from "./presenter.js";
export { securityLogSection } from "./sections.js";
