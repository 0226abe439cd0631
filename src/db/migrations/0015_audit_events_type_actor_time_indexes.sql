CREATE INDEX "audit_events_workspace_action_id_idx" ON "audit_events" USING btree ("workspace_id","action","id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events" USING btree ("actor_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_created_at_idx" ON "audit_events" USING btree ("created_at");