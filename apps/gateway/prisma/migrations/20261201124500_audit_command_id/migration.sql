-- AlterTable
ALTER TABLE "audit_log" ADD COLUMN     "command_id" TEXT;

-- CreateIndex
CREATE INDEX "audit_log_command_id_at_id_idx" ON "audit_log"("command_id", "at" DESC, "id" DESC);
