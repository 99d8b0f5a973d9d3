-- The fleet summary (GetFleetSummary) reads the last minutes of every agent: on the primary key
-- (agent_id, bucket) that is a scan of the whole day's partition. Created on the partitioned parent,
-- so every partition has it, and those created later too.
-- CreateIndex
CREATE INDEX "telemetry_rollup_1m_bucket_idx" ON "telemetry_rollup_1m"("bucket");
