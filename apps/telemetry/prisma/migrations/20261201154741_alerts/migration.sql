-- Written by fleetplane-migrate create, the partial unique index and the seeded rules at the end by hand.

-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('FIRING', 'ACKNOWLEDGED', 'RESOLVED');


-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('WARNING', 'CRITICAL');

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "comparison" TEXT NOT NULL,
    "warning" DOUBLE PRECISION,
    "critical" DOUBLE PRECISION,
    "clear" DOUBLE PRECISION,
    "for_seconds" INTEGER NOT NULL,
    "scope_agent_ids" TEXT[],
    "scope_site" TEXT NOT NULL DEFAULT '',
    "scope_labels" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "builtin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "rule_name" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "mount" TEXT NOT NULL DEFAULT '',
    "state" "AlertState" NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "opened_value" DOUBLE PRECISION NOT NULL,
    "last_value" DOUBLE PRECISION NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_history" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" UUID NOT NULL,
    "transition" TEXT NOT NULL,
    "state" "AlertState" NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "value" DOUBLE PRECISION,
    "by" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_conditions" (
    "rule_id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "mount" TEXT NOT NULL DEFAULT '',
    "breach_since" TIMESTAMPTZ(3) NOT NULL,
    "critical_since" TIMESTAMPTZ(3),
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_conditions_pkey" PRIMARY KEY ("rule_id","agent_id","mount")
);

-- CreateTable
CREATE TABLE "agent_last_seen" (
    "agent_id" TEXT NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,
    "interval_ms" INTEGER,

    CONSTRAINT "agent_last_seen_pkey" PRIMARY KEY ("agent_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_rules_name_key" ON "alert_rules"("name");

-- CreateIndex
CREATE INDEX "alerts_opened_at_id_idx" ON "alerts"("opened_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "alerts_agent_id_opened_at_idx" ON "alerts"("agent_id", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "alert_history_alert_id_id_idx" ON "alert_history"("alert_id", "id");

-- AddForeignKey
ALTER TABLE "alert_history" ADD CONSTRAINT "alert_history_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_conditions" ADD CONSTRAINT "alert_conditions_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (the Prisma schema cannot say a partial index): at most one open alert per
-- (rule, agent, mount). Instances evaluating the same agent at once serialise on an advisory
-- lock per agent, and this index is the backstop that makes a duplicate open alert impossible.
CREATE UNIQUE INDEX "alerts_one_open_per_rule_agent_mount" ON "alerts"("rule_id", "agent_id", "mount") WHERE "state" <> 'RESOLVED';

-- Open alerts by severity (statistics, the firing gauge) without reading resolved ones.
CREATE INDEX "alerts_open_severity_idx" ON "alerts"("severity") WHERE "state" <> 'RESOLVED';

-- The default rules of issue #7, seeded once with fixed ids (a migration runs once per database).
INSERT INTO "alert_rules" ("id", "name", "metric", "comparison", "warning", "critical", "clear", "for_seconds", "scope_agent_ids", "builtin") VALUES
  ('00000000-0000-4000-8000-000000000001', 'cpu', 'cpu_percent', '>', 80, 95, 75, 300, '{}', true),
  ('00000000-0000-4000-8000-000000000002', 'memory', 'memory_percent', '>', 85, 95, 80, 300, '{}', true),
  ('00000000-0000-4000-8000-000000000003', 'disk', 'disk_percent', '>', 85, 95, 80, 300, '{}', true),
  ('00000000-0000-4000-8000-000000000004', 'containers-unhealthy', 'containers_unhealthy', '>', 0, NULL, NULL, 0, '{}', true),
  ('00000000-0000-4000-8000-000000000005', 'no-data', 'no_data', '>=', NULL, 3, NULL, 0, '{}', true);
