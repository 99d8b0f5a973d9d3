-- CreateEnum
CREATE TYPE "Priority" AS ENUM ('CRITICAL', 'HIGH', 'NORMAL', 'LOW');

-- CreateEnum
CREATE TYPE "ExecutionState" AS ENUM ('PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT');

-- CreateTable
CREATE TABLE "commands" (
    "id" UUID NOT NULL,
    "verb" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "priority" "Priority" NOT NULL,
    "requested_by" TEXT NOT NULL,
    "timeout_seconds" INTEGER NOT NULL,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "commands_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "executions" (
    "id" UUID NOT NULL,
    "command_id" UUID NOT NULL,
    "agent_id" TEXT NOT NULL,
    "state" "ExecutionState" NOT NULL DEFAULT 'PENDING',
    "exit_code" INTEGER,
    "stdout" TEXT NOT NULL DEFAULT '',
    "stderr" TEXT NOT NULL DEFAULT '',
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT NOT NULL DEFAULT '',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dispatched_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "executions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "commands_idempotency_key_key" ON "commands"("idempotency_key");

-- CreateIndex
CREATE INDEX "commands_created_at_id_idx" ON "commands"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "executions_agent_id_created_at_command_id_idx" ON "executions"("agent_id", "created_at" DESC, "command_id" DESC);

-- CreateIndex
CREATE INDEX "executions_command_id_idx" ON "executions"("command_id");

-- AddForeignKey
ALTER TABLE "executions" ADD CONSTRAINT "executions_command_id_fkey" FOREIGN KEY ("command_id") REFERENCES "commands"("id") ON DELETE CASCADE ON UPDATE CASCADE;
