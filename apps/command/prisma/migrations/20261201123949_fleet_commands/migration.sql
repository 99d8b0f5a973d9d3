-- CreateEnum
CREATE TYPE "OutputStream" AS ENUM ('STDOUT', 'STDERR');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ExecutionState" ADD VALUE 'SKIPPED';
ALTER TYPE "ExecutionState" ADD VALUE 'EXPIRED';

-- DropIndex
DROP INDEX "commands_idempotency_key_key";

-- DropIndex
DROP INDEX "executions_command_id_idx";

-- AlterTable
ALTER TABLE "commands" ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "end_reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "max_concurrency" INTEGER,
ADD COLUMN     "max_errors" INTEGER,
ADD COLUMN     "request_hash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "retry_of" UUID,
ADD COLUMN     "selector" JSONB,
ADD COLUMN     "target_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ttl_seconds" INTEGER NOT NULL DEFAULT 3600;

-- AlterTable
ALTER TABLE "executions" ADD COLUMN     "cancel_requested_at" TIMESTAMPTZ(3),
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "stderr_bytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "stdout_bytes" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "execution_output_chunks" (
    "execution_id" UUID NOT NULL,
    "stream" "OutputStream" NOT NULL,
    "offset" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "execution_output_chunks_pkey" PRIMARY KEY ("execution_id","stream","offset")
);

-- CreateIndex
CREATE INDEX "execution_output_chunks_created_at_idx" ON "execution_output_chunks"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "commands_requested_by_idempotency_key_key" ON "commands"("requested_by", "idempotency_key");

-- CreateIndex
CREATE INDEX "executions_command_id_agent_id_idx" ON "executions"("command_id", "agent_id");

-- CreateIndex
CREATE INDEX "executions_command_id_state_idx" ON "executions"("command_id", "state");

-- CreateIndex
CREATE INDEX "executions_agent_id_state_idx" ON "executions"("agent_id", "state");

-- AddForeignKey
ALTER TABLE "execution_output_chunks" ADD CONSTRAINT "execution_output_chunks_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
