-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('BACKUP', 'RESTORE', 'VERIFY', 'PRUNE');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "BackupType" AS ENUM ('FULL', 'INCREMENTAL', 'DIFFERENTIAL', 'SNAPSHOT');

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'QUEUED',
    "type" "BackupType",
    "sources" TEXT[],
    "backup_id" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,
    "progress" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "requested_by" TEXT NOT NULL,
    "policy_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policies" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cron" TEXT,
    "trigger" TEXT,
    "type" "BackupType" NOT NULL,
    "sources" TEXT[],
    "keep_last" INTEGER NOT NULL DEFAULT 0,
    "keep_hourly" INTEGER NOT NULL DEFAULT 0,
    "keep_daily" INTEGER NOT NULL DEFAULT 0,
    "keep_weekly" INTEGER NOT NULL DEFAULT 0,
    "keep_monthly" INTEGER NOT NULL DEFAULT 0,
    "keep_yearly" INTEGER NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_status" (
    "source" TEXT NOT NULL,
    "last_backup_id" TEXT NOT NULL,
    "last_success_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "source_status_pkey" PRIMARY KEY ("source")
);

-- CreateIndex
CREATE INDEX "jobs_created_at_idx" ON "jobs"("created_at");

-- CreateIndex
CREATE INDEX "jobs_state_idx" ON "jobs"("state");

-- CreateIndex
CREATE UNIQUE INDEX "policies_name_key" ON "policies"("name");
