-- Up Migration
-- Notifications: the one way a process tells a unit (or a person in it) something. The inbox is
-- the notifications table itself; each further channel (webhook, email) is a delivery row, fixed
-- when the notification is first stored, so a retried activity never delivers one twice.

-- How a unit is reached besides its inbox.
CREATE TABLE unit_channels (
  unit_code      text PRIMARY KEY REFERENCES units(code),
  webhook_url    text CHECK (webhook_url ~ '^https?://'),
  webhook_secret text,
  email          text CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  updated_by     text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((webhook_url IS NULL) = (webhook_secret IS NULL))
);

CREATE TABLE notifications (
  id               uuid PRIMARY KEY,
  idempotency_key  text NOT NULL UNIQUE,
  unit_code        text NOT NULL REFERENCES units(code),
  recipient_person text,
  kind             text NOT NULL CHECK (kind IN ('reminder', 'escalation', 'info', 'action_required')),
  subject          text NOT NULL,
  body             text NOT NULL,
  link             jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  acked_at         timestamptz,
  acked_by         text
);
CREATE INDEX notifications_inbox ON notifications (unit_code, created_at DESC);

CREATE TABLE notification_deliveries (
  notification_id uuid NOT NULL REFERENCES notifications(id),
  channel         text NOT NULL CHECK (channel IN ('inbox', 'webhook', 'email')),
  target          text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  last_attempt_at timestamptz,
  delivered_at    timestamptz,
  PRIMARY KEY (notification_id, channel)
);
CREATE INDEX notification_deliveries_status ON notification_deliveries (status) WHERE status <> 'delivered';

-- Down Migration
DROP TABLE notification_deliveries;
DROP TABLE notifications;
DROP TABLE unit_channels;
