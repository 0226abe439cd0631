// Cancelling one's own account: the wizard, the one-transaction cancellation,
// and the purge-account and close-tickets jobs.
export { cancellationRoutes } from "./routes.js";
export { cancelAccountSection } from "./sections.js";
export { jobsPageRoutes } from "./jobs-page.js";
export { cancellationJobs, purgeAccountJob, closeTicketsJob } from "./jobs.js";
export { accountCancellations } from "./tables.js";
export { schedulePurge } from "./service.js";
