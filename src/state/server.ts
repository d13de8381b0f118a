// The server's REST calls the UI makes itself (the project list, new projects, invites): the
// UI reaches the network only through the state layer.
export { type ProjectSummary, type Role, ApiError, createInvite, createServerProject, listProjects } from '../sync/api.ts'
