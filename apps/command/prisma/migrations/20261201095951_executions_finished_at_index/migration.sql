-- CreateIndex
CREATE INDEX "executions_finished_at_idx" ON "executions"("finished_at");
