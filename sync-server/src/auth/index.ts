// The auth module's public face: what the lead wires (authRoutes) and what every other route uses to
// learn who is asking (resolveSession, requireSession) and what they may do (can, roleIn, loadActor).
export { authRoutes, type AuthDeps } from './routes';
export {
  requireSession,
  requireSessionOf,
  resolveSession,
  type FoundSession,
  type Session,
} from './sessions';
export {
  ANONYMOUS,
  can,
  COMMUNITY_ACTIONS,
  loadActor,
  roleIn,
  type Actor,
  type CommunityAction,
  type CommunityRef,
  type CommunityRole,
  type SiteRole,
} from './roles';
export { originGuard, requestOriginAllowed } from './origin';
export { DEFAULT_AUTH_CONFIG, type AuthConfig, type OidcProviderConfig } from './config';
export { DEFAULT_RATE_LIMITS, type AuthRateLimits } from './rate-limit';
