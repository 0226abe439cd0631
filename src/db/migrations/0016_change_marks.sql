CREATE TABLE "change_marks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL
);
--> statement-breakpoint
-- Change marks for the signed-in user's cached copy (platform/change-marks.ts,
-- web/principal-cache.ts): every row that copy is made of marks its user as
-- changed, in the writer's transaction, and tells the writer's connection so.
-- The copy is the users row, the user's memberships with their workspaces, and
-- the avatar's etag (workspaces/repo.ts loadUserWithMemberships).
CREATE FUNCTION mark_signed_in_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'workspaces' THEN
    INSERT INTO change_marks (key) SELECT 'user:' || m.user_id FROM memberships m WHERE m.workspace_id = OLD.id;
  ELSIF TG_TABLE_NAME = 'users' THEN
    INSERT INTO change_marks (key) VALUES ('user:' || OLD.id);
  ELSE
    IF TG_OP <> 'INSERT' THEN
      INSERT INTO change_marks (key) VALUES ('user:' || OLD.user_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
      INSERT INTO change_marks (key) VALUES ('user:' || NEW.user_id);
    END IF;
  END IF;
  RAISE NOTICE 'latchkey:change-marked';
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A new user has no copy yet; an update that changes nothing marks nothing.
CREATE TRIGGER users_mark_updated AFTER UPDATE ON users
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION mark_signed_in_user_changed();
--> statement-breakpoint
CREATE TRIGGER users_mark_deleted AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION mark_signed_in_user_changed();
--> statement-breakpoint
CREATE TRIGGER workspaces_mark_updated AFTER UPDATE ON workspaces
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION mark_signed_in_user_changed();
--> statement-breakpoint
CREATE TRIGGER workspaces_mark_deleted AFTER DELETE ON workspaces
  FOR EACH ROW EXECUTE FUNCTION mark_signed_in_user_changed();
--> statement-breakpoint
CREATE TRIGGER memberships_mark_changed AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION mark_signed_in_user_changed();
--> statement-breakpoint
CREATE TRIGGER avatars_mark_changed AFTER INSERT OR UPDATE OR DELETE ON avatars
  FOR EACH ROW EXECUTE FUNCTION mark_signed_in_user_changed();
