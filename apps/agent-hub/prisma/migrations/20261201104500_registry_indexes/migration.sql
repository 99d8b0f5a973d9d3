-- The registry's filters at 100,000 agents (issue #11). Listings are keyset
-- pages by id, so an equality filter gets a (column, id) btree that walks in
-- page order, and labels and capabilities (containment, @>) get GIN.
-- last_seen_at gets none on purpose: presence writes it for every agent, and
-- an index on it would make each of those writes an index write too.
-- (No semicolons in comments: the migration engine splits on them.)

-- CreateIndex
CREATE INDEX "agents_os_id_idx" ON "agents"("os", "id");

-- CreateIndex
CREATE INDEX "agents_version_id_idx" ON "agents"("version", "id");

-- CreateIndex
CREATE INDEX "agents_session_id_idx" ON "agents"("session_id");

-- CreateIndex
CREATE INDEX "agents_labels_idx" ON "agents" USING GIN ("labels" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "agents_capabilities_idx" ON "agents" USING GIN ("capabilities");
