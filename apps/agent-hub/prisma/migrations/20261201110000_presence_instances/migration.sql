-- Cheap presence (issue #11): the instance holding each session, the protocol
-- version it speaks, and the instances' own heartbeats, so that the sessions of
-- an instance that died (kill -9, lost host) are cleared by another one.
ALTER TABLE "agents" ADD COLUMN "hub_instance_id" TEXT;
ALTER TABLE "agents" ADD COLUMN "protocol_version" INTEGER;

CREATE INDEX "agents_hub_instance_id_idx" ON "agents"("hub_instance_id");

CREATE TABLE "hub_instances" (
    "id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_beat_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "hub_instances_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "hub_instances_last_beat_at_idx" ON "hub_instances"("last_beat_at");
