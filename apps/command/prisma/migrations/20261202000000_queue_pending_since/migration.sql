-- AlterTable
ALTER TABLE "executions" ADD COLUMN "queue_pending_since" TIMESTAMPTZ(3);

-- The recovery sweep's range scan. Partial, since nearly every row is NULL (Prisma's schema
-- cannot state a partial index, so it lives here only).
CREATE INDEX "executions_queue_pending_since_idx" ON "executions"("queue_pending_since") WHERE "queue_pending_since" IS NOT NULL;
