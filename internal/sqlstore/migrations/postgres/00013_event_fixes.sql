-- +goose Up
-- One live registration per signed-in user and event, so that one
-- account cannot hold a room's places under made-up addresses. Earlier
-- extra registrations of a user stay as they are, detached from the
-- account (their e-mail addresses still reach whoever gave them).
UPDATE event_registrations SET user_id = NULL
WHERE user_id IS NOT NULL AND status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM event_registrations o
    WHERE o.event_id = event_registrations.event_id AND o.user_id = event_registrations.user_id
      AND o.status <> 'cancelled' AND o.id < event_registrations.id);
CREATE UNIQUE INDEX event_registrations_live_user ON event_registrations (event_id, user_id)
    WHERE user_id IS NOT NULL AND status <> 'cancelled';

-- +goose Down
DROP INDEX event_registrations_live_user;
