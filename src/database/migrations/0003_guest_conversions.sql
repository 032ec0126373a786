CREATE TABLE "guest_conversions" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"guest_session_id" uuid,
	"guest_order_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "guest_conversions" ADD CONSTRAINT "guest_conversions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;