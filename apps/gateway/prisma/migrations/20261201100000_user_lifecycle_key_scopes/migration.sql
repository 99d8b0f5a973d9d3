-- AlterTable
ALTER TABLE "users" ADD COLUMN     "last_login_at" TIMESTAMPTZ(3),
ADD COLUMN     "session_version" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Keys made before scopes existed keep what they could do: every scope.
UPDATE "api_keys" SET "scopes" = ARRAY['agents:read', 'agents:write', 'commands:read', 'commands:write', 'telemetry:read', 'alerts:write', 'backups:write', 'tiles:write', 'audit:read', 'users:read', 'users:write'];
