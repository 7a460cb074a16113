-- Office: the company's equipment and who holds it. Every assignment is
-- kept (the history); the current holder is the row without `until_at`.

-- kind: laptop | desktop | webcam | headset | phone | 4g_key | sim |
-- phone_line | other. status: in_stock | assigned | in_repair | retired.
-- Amounts in cents; cap_gb 0 means an unlimited plan.
CREATE TABLE equipment (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    purchase_date TEXT,
    cost_cents BIGINT,
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    cap_gb BIGINT,
    renewal_day BIGINT,
    monthly_cents BIGINT,
    phone_number TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE equipment_assignments (
    id BIGSERIAL PRIMARY KEY,
    equipment_id BIGINT NOT NULL REFERENCES equipment(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    by_user BIGINT NOT NULL REFERENCES users(id),
    from_at BIGINT NOT NULL,
    until_at BIGINT
);
CREATE UNIQUE INDEX equipment_current_holder ON equipment_assignments(equipment_id) WHERE until_at IS NULL;
CREATE INDEX equipment_assignments_user ON equipment_assignments(user_id, until_at);
