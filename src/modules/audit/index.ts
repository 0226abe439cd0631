// The security activity catalogue: typed events, their record, the logs.
export { auditEvents, type AuditEvent } from "./tables.js";
export { defineEvents, recordEvent, eventTypeInfo, declaredEventTypes, whenAndWhere, notYouLine, securityNotice, type SecurityEvent, type NoticeReader, type NoticeRecipient, type Notice, type NoticeContext } from "./events.js";
export { listWorkspaceActivity } from "./repo.js";
export { presentWorkspaceEvent } from "./presenter.js";
export { noticePreferencesSection, securityLogSection } from "./sections.js";
export { auditRoutes, workspaceActivityRoutes } from "./routes.js";
export { activityFilterShape, checkDateRange, toActivityFilters } from "./filters.js";
export { activityPage, type ActivityScope } from "./service.js";
export { pruneAuditEvents, pruneAuditEventsJob } from "./jobs.js";
export { recordSignIn, deviceCookieName, NEW_DEVICE_DAYS } from "./devices.js";
export { optionalNoticesMuted } from "./preferences.js";
