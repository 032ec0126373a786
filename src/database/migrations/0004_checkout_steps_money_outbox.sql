ALTER TYPE "public"."mail_outbox_status" ADD VALUE 'dead_letter';--> statement-breakpoint
ALTER TYPE "public"."order_status" ADD VALUE 'awaiting_payment' BEFORE 'pending';--> statement-breakpoint
ALTER TYPE "public"."order_status" ADD VALUE 'payment_failed' BEFORE 'pending';--> statement-breakpoint
CREATE TABLE "sandbox_charges" (
	"reference" text PRIMARY KEY NOT NULL,
	"charge_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"refunded_at" timestamp with time zone,
	CONSTRAINT "sandbox_charges_charge_id_unique" UNIQUE("charge_id")
);
--> statement-breakpoint
ALTER TABLE "products" ALTER COLUMN "unit_price" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "order_items" ALTER COLUMN "unit_price" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "order_items" ALTER COLUMN "line_total" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "subtotal" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "total" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "pending_cart_id" uuid;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "idempotency_ref" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "payment_failure" text;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_pending_cart_id_carts_id_fk" FOREIGN KEY ("pending_cart_id") REFERENCES "public"."carts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_pending_cart_key" ON "orders" USING btree ("pending_cart_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_idempotency_ref_key" ON "orders" USING btree ("idempotency_ref");--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at");