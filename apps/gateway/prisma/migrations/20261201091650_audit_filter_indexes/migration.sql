-- DropIndex
DROP INDEX "audit_log_actor_idx";

-- DropIndex
DROP INDEX "audit_log_at_idx";

-- CreateIndex
CREATE INDEX "audit_log_at_id_idx" ON "audit_log"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_actor_at_id_idx" ON "audit_log"("actor", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_action_at_id_idx" ON "audit_log"("action", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_target_at_id_idx" ON "audit_log"("target", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_outcome_at_id_idx" ON "audit_log"("outcome", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_log_trace_id_idx" ON "audit_log"("trace_id");
