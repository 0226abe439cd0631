// Profile: username and avatar (email and phone are the contact module's).
export { avatars } from "./tables.js";
export { avatarUrl, initialsOf } from "./presenter.js";
export { profileSections } from "./sections.js";
export { profileRoutes } from "./routes.js";
export { avatarUploadParsing } from "./avatar-upload.js";
export { changeUsername } from "./service.js";
export { changeUsernameSchema } from "./schema.js";
export { adoptBrowserTimeZone } from "./preferences.js";
